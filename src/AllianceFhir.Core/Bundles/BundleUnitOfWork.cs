using System.Globalization;
using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// Prepares the entries of one transaction (or of one batch entry) without persisting anything: assigns identities in
/// the R4 processing order, rewrites references to fullUrls, resolves conditional references, builds every version
/// through <see cref="ResourceService.PrepareAsync(WriteOperation, string, string, Resource?, ResourceVersion?, string, IResourceReader, CancellationToken)"/>
/// (so write hooks run) and answers the GET entries. The caller commits <see cref="Writes"/> in one store commit.
/// Reads here see the entries prepared so far: the database cannot, because nothing is written before the commit.
/// </summary>
internal sealed class BundleUnitOfWork : IResourceReader
{
    private const int ConditionLimit = 2;
    private const int HookSearchLimit = 1000;

    private readonly ResourceService _service;
    private readonly IResourceStore _store;
    private readonly SearchQueryParser _parser;
    private readonly PendingResourceMatcher _matcher;
    private readonly IReadOnlyList<BundleEntryRequest> _entries;
    private readonly string _baseUrl;
    private readonly bool _isBatch;
    private readonly IReadOnlyDictionary<(string Type, string Condition), string?> _claimOwners;
    private readonly Func<SearchQuery, SearchQuery> _authorizeSearch;
    private readonly Func<SearchResult, SearchResult> _filterResult;

    private readonly Dictionary<(string Type, string Id), Pending> _pending = [];
    private readonly Dictionary<int, Pending> _byEntry = [];
    private readonly HashSet<ResourceKey> _pendingKeys = [];
    private readonly Dictionary<int, ResourceVersion> _matchedExisting = [];
    private readonly Dictionary<int, Pending> _matchedPending = [];
    private readonly List<ResourceWrite> _writes = [];
    private readonly Dictionary<int, BundleEntryResult> _results = [];
    private readonly Dictionary<int, ConditionClaim> _claims = [];
    private readonly HashSet<(string Type, string Condition)> _claimed = [];

    public BundleUnitOfWork(
        ResourceService service,
        IResourceStore store,
        SearchQueryParser parser,
        PendingResourceMatcher matcher,
        IReadOnlyList<BundleEntryRequest> entries,
        string baseUrl,
        bool isBatch,
        IReadOnlyDictionary<(string Type, string Condition), string?> claimOwners,
        Func<SearchQuery, SearchQuery> authorizeSearch,
        Func<SearchResult, SearchResult> filterResult)
    {
        _service = service;
        _store = store;
        _parser = parser;
        _matcher = matcher;
        _entries = entries;
        _baseUrl = baseUrl.TrimEnd('/');
        _isBatch = isBatch;
        _claimOwners = claimOwners;
        _authorizeSearch = authorizeSearch;
        _filterResult = filterResult;
    }

    public IReadOnlyList<ResourceWrite> Writes => _writes;

    public IReadOnlyDictionary<int, BundleEntryResult> Results => _results;

    /// <summary>The entry that writes this resource, to name it when the commit reports a conflict on it.</summary>
    public BundleEntryRequest? EntryWriting(string resourceType, string id) =>
        _pending.TryGetValue((resourceType, id), out var p) ? p.Entry : null;

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        _matcher.Invalidate();
        var ordered = _entries.OrderBy(e => e.Phase).ThenBy(e => e.Index).ToList();
        foreach (var entry in ordered.Where(e => e.IsWrite))
        {
            await GuardAsync(entry, () => AssignIdentityAsync(entry, cancellationToken));
        }

        var identities = BuildIdentityMap();
        foreach (var pending in _pending.Values.Where(p => p.Resource is not null))
        {
            await GuardAsync(pending.Entry, () => RewriteReferences(pending, identities));
        }

        // Spec step 5: conditional references are resolved once every entry has its identity, so they can match
        // resources this same transaction creates.
        _matcher.Invalidate();
        foreach (var pending in _pending.Values.Where(p => p.Resource is not null).OrderBy(p => p.Entry.Phase).ThenBy(p => p.Entry.Index))
        {
            await GuardAsync(pending.Entry, () => ResolveConditionalReferencesAsync(pending, cancellationToken));
        }

        _matcher.Invalidate();
        foreach (var entry in ordered.Where(e => e.IsWrite))
        {
            await GuardAsync(entry, () => PrepareWriteAsync(entry, cancellationToken));
        }

        EnsureDistinctWrites();
        foreach (var entry in ordered.Where(e => !e.IsWrite))
        {
            await GuardAsync(entry, () => AnswerReadAsync(entry, cancellationToken));
        }
    }

    private static async Task GuardAsync(BundleEntryRequest entry, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (FhirOperationException ex)
        {
            throw new BundleEntryException(entry.Index, entry.FullUrl, ex);
        }
        catch (ResourceGoneException ex)
        {
            throw new BundleEntryException(entry.Index, entry.FullUrl, FhirOperationException.Gone(ex.Message));
        }
    }

    private static Task GuardAsync(BundleEntryRequest entry, Action step) => GuardAsync(entry, () =>
    {
        step();
        return Task.CompletedTask;
    });

    // ---- 1. identities -------------------------------------------------------------------------------------------

    private async Task AssignIdentityAsync(BundleEntryRequest entry, CancellationToken cancellationToken)
    {
        switch (entry.Interaction)
        {
            case EntryInteraction.Delete:
                Register(entry, entry.Id!, resource: null);
                break;
            case EntryInteraction.ConditionalDelete:
            {
                var matches = await FindAsync(entry.ResourceType, entry.Query, Matching.Condition, ConditionLimit, cancellationToken);
                if (matches.Count > 1)
                {
                    throw FhirOperationException.PreconditionFailed($"The conditional delete matched more than one {entry.ResourceType}");
                }

                if (matches.Count == 1)
                {
                    Register(entry, matches[0].Id, resource: null);
                }

                break;
            }

            case EntryInteraction.Create when entry.IfNoneExist is not null:
            {
                var matches = await FindAsync(entry.ResourceType, entry.IfNoneExist, Matching.Condition, ConditionLimit, cancellationToken);
                switch (matches.Count)
                {
                    case 0:
                        Register(entry, FhirId.New(), entry.Resource);
                        Claim(entry, entry.IfNoneExist);
                        break;
                    case 1 when matches[0].Pending is { } pending:
                        _matchedPending[entry.Index] = pending;
                        break;
                    case 1:
                        _matchedExisting[entry.Index] = matches[0].Stored!;
                        break;
                    default:
                        throw FhirOperationException.PreconditionFailed($"ifNoneExist matched more than one {entry.ResourceType}");
                }

                break;
            }

            case EntryInteraction.Create:
                Register(entry, FhirId.New(), entry.Resource);
                break;
            case EntryInteraction.Update:
                Register(entry, entry.Id!, entry.Resource);
                break;
            case EntryInteraction.ConditionalUpdate:
            {
                var matches = await FindAsync(entry.ResourceType, entry.Query, Matching.Condition, ConditionLimit, cancellationToken);
                var bodyId = entry.Resource!.Id;
                if (matches.Count > 1)
                {
                    throw FhirOperationException.PreconditionFailed($"The conditional update matched more than one {entry.ResourceType}");
                }

                if (matches.Count == 1 && bodyId is { Length: > 0 } && bodyId != matches[0].Id)
                {
                    throw FhirOperationException.BadRequest(
                        $"The resource id '{bodyId}' differs from the id of the resource the condition matched ('{matches[0].Id}')",
                        $"{entry.ResourceType}.id");
                }

                if (matches.Count == 0 && bodyId is { Length: > 0 } && !FhirId.IsValid(bodyId))
                {
                    throw FhirOperationException.BadRequest($"'{bodyId}' is not a valid FHIR id", $"{entry.ResourceType}.id");
                }

                Register(entry, matches.Count == 1 ? matches[0].Id : bodyId is { Length: > 0 } ? bodyId : FhirId.New(), entry.Resource);
                if (matches.Count == 0)
                {
                    Claim(entry, entry.Query);
                }

                break;
            }
        }
    }

    private void Register(BundleEntryRequest entry, string id, Resource? resource)
    {
        var key = (entry.ResourceType, id);
        if (_pending.TryGetValue(key, out var other))
        {
            throw FhirOperationException.BadRequest(
                $"{entry.ResourceType}/{id} is also changed by {other.Entry.Describe()}; a transaction may touch each resource only once");
        }

        if (resource is not null)
        {
            // Set now so that _id conditions and hook lookups see the identity the resource will have.
            resource.Id = id;
        }

        var pending = new Pending(entry, entry.ResourceType, id, resource);
        _pending[key] = pending;
        _byEntry[entry.Index] = pending;
        _pendingKeys.Add(new ResourceKey(entry.ResourceType, id));
    }

    /// <summary>
    /// A conditional entry that matched nothing claims its condition, so that racing requests with the same condition
    /// cannot both create (see <see cref="ConditionClaim"/>). A condition that an earlier entry of this unit claimed
    /// already is not claimed twice: that entry's resource did not match it, and this one creates beside it.
    /// </summary>
    private void Claim(BundleEntryRequest entry, string query)
    {
        var condition = ConditionKey.Of(QueryParameters.Parse(query));
        if (_claimed.Add((entry.ResourceType, condition)))
        {
            _claims[entry.Index] = new ConditionClaim(condition, _claimOwners.GetValueOrDefault((entry.ResourceType, condition)));
        }
    }

    /// <summary>fullUrl → the local reference <c>Type/id</c> of the resource that entry ends up as.</summary>
    private Dictionary<string, string> BuildIdentityMap()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, BundleEntryRequest>(StringComparer.Ordinal);
        foreach (var entry in _entries.Where(e => e.FullUrl is not null && e.Resource is not null))
        {
            string? target = null;
            if (_byEntry.TryGetValue(entry.Index, out var pending))
            {
                target = $"{pending.Type}/{pending.Id}";
            }
            else if (_matchedExisting.TryGetValue(entry.Index, out var existing))
            {
                target = $"{existing.ResourceType}/{existing.Id}";
            }
            else if (_matchedPending.TryGetValue(entry.Index, out var matched))
            {
                target = $"{matched.Type}/{matched.Id}";
            }

            if (target is null)
            {
                continue;
            }

            if (owners.TryGetValue(entry.FullUrl!, out var first))
            {
                throw new BundleEntryException(entry.Index, entry.FullUrl, FhirOperationException.BadRequest(
                    $"fullUrl {entry.FullUrl} is also the fullUrl of {first.Describe()}; fullUrls must be unique"));
            }

            owners[entry.FullUrl!] = entry;
            map[entry.FullUrl!] = target;
        }

        return map;
    }

    private void RewriteReferences(Pending pending, IReadOnlyDictionary<string, string> identities)
    {
        var unresolved = ReferenceRewriter.Rewrite(pending.Resource!, identities);
        if (unresolved.Count > 0)
        {
            throw FhirOperationException.BadRequest(_isBatch
                ? $"The reference {unresolved[0]} points at no resource: entries of a batch are independent and cannot reference each other's fullUrls"
                : $"The reference {unresolved[0]} is the fullUrl of no entry in this Bundle");
        }
    }

    private async Task ResolveConditionalReferencesAsync(Pending pending, CancellationToken cancellationToken)
    {
        foreach (var reference in ReferenceRewriter.References(pending.Resource!).ToList())
        {
            var text = reference.Reference;
            var q = text?.IndexOf('?', StringComparison.Ordinal) ?? -1;
            if (text is null || q <= 0 || !text[..q].All(char.IsAsciiLetter))
            {
                continue;
            }

            var type = text[..q];
            if (!SupportedResourceTypes.IsSupported(type))
            {
                throw FhirOperationException.BadRequest($"The conditional reference '{text}' is to a resource type this server does not store");
            }

            var matches = await FindAsync(type, text[(q + 1)..], Matching.Condition, ConditionLimit, cancellationToken);
            reference.Reference = matches.Count switch
            {
                1 => $"{type}/{matches[0].Id}",
                0 => throw FhirOperationException.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.NotFound,
                    $"The conditional reference '{text}' matches no {type}"),
                _ => throw FhirOperationException.PreconditionFailed($"The conditional reference '{text}' matches more than one {type}"),
            };
        }
    }

    // ---- 2. writes -----------------------------------------------------------------------------------------------

    private async Task PrepareWriteAsync(BundleEntryRequest entry, CancellationToken cancellationToken)
    {
        if (_matchedExisting.TryGetValue(entry.Index, out var existing))
        {
            _results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, existing, existing.ToResource(), IsWrite: true);
            return;
        }

        if (!_byEntry.TryGetValue(entry.Index, out var pending))
        {
            // A create that matched a resource of this transaction is answered once that one is prepared (below);
            // a conditional delete that matched nothing did nothing.
            if (!_matchedPending.ContainsKey(entry.Index))
            {
                _results[entry.Index] = new BundleEntryResult(HttpStatusCode.NoContent, null, null, IsWrite: true);
            }

            return;
        }

        var current = entry.Interaction == EntryInteraction.Create
            ? null
            : await _store.ReadCurrentAsync(pending.Type, pending.Id, cancellationToken);
        CheckPreconditions(entry, pending, current);

        List<ResourceWrite> writes;
        HttpStatusCode status;
        if (pending.Resource is null)
        {
            if (current is null || current.IsDeleted)
            {
                _results[entry.Index] = new BundleEntryResult(HttpStatusCode.NoContent, current, null, IsWrite: true);
                return;
            }

            writes = await _service.PrepareAsync(WriteOperation.Delete, pending.Type, pending.Id, null, current, "DELETE", this, cancellationToken);
            status = HttpStatusCode.NoContent;
        }
        else
        {
            var created = current is null || current.IsDeleted;
            var method = entry.Interaction == EntryInteraction.Create ? "POST" : "PUT";
            writes = await _service.PrepareAsync(
                created ? WriteOperation.Create : WriteOperation.Update, pending.Type, pending.Id, pending.Resource, current, method, this, cancellationToken);
            status = created ? HttpStatusCode.Created : HttpStatusCode.OK;
        }

        if (_claims.TryGetValue(entry.Index, out var claim))
        {
            writes[0] = writes[0] with { Claim = claim };
        }

        pending.Write = writes[0];
        if (pending.Resource is not null)
        {
            _matcher.Invalidate(pending.Resource);
        }

        _writes.AddRange(writes);
        _results[entry.Index] = new BundleEntryResult(status, ToVersion(writes[0]), pending.Resource, IsWrite: true);
        foreach (var (index, matched) in _matchedPending.Where(m => ReferenceEquals(m.Value, pending)))
        {
            _results[index] = new BundleEntryResult(HttpStatusCode.OK, ToVersion(writes[0]), pending.Resource, IsWrite: true);
        }
    }

    private static void CheckPreconditions(BundleEntryRequest entry, Pending pending, ResourceVersion? current)
    {
        if (entry.IfMatch is int expected && current?.VersionId != expected)
        {
            throw FhirOperationException.PreconditionFailed(
                $"ifMatch W/\"{expected}\" does not match the current version of {pending.Type}/{pending.Id}"
                + (current is null ? " (it does not exist)" : $" (W/\"{current.VersionId}\")"));
        }

        if (entry.IfNoneMatch is { } tag && entry.Method == Bundle.HTTPVerb.PUT && current is { IsDeleted: false }
            && (tag == "*" || EntityTagNames(tag, current.VersionId)))
        {
            throw FhirOperationException.PreconditionFailed($"ifNoneMatch {tag}: {pending.Type}/{pending.Id} exists at W/\"{current.VersionId}\"");
        }
    }

    /// <summary>Hooks may derive versions of other resources; two writes of one resource in one commit cannot both win.</summary>
    private void EnsureDistinctWrites()
    {
        var seen = new HashSet<(string, string)>();
        foreach (var write in _writes)
        {
            if (!seen.Add((write.ResourceType, write.Id)))
            {
                var entry = EntryWriting(write.ResourceType, write.Id) ?? _entries[0];
                throw new BundleEntryException(entry.Index, entry.FullUrl, FhirOperationException.Conflict(
                    $"{write.ResourceType}/{write.Id} would be written twice by this transaction (an entry and a resource derived from another entry)"));
            }
        }
    }

    // ---- 3. reads ------------------------------------------------------------------------------------------------

    private async Task AnswerReadAsync(BundleEntryRequest entry, CancellationToken cancellationToken)
    {
        var head = entry.Method == Bundle.HTTPVerb.HEAD;
        switch (entry.Interaction)
        {
            case EntryInteraction.Read:
            {
                var version = _pending.TryGetValue((entry.ResourceType, entry.Id!), out var p) && p.Write is { } w
                    ? ToVersion(w)
                    : await _store.ReadCurrentAsync(entry.ResourceType, entry.Id!, cancellationToken);
                version = Readable(version, $"{entry.ResourceType}/{entry.Id} is not known");
                if ((entry.IfNoneMatch is { } tag && EntityTagNames(tag, version.VersionId))
                    || (entry.IfModifiedSince is { } since && version.LastUpdated <= since.AddSeconds(1)))
                {
                    _results[entry.Index] = new BundleEntryResult(HttpStatusCode.NotModified, version, null, IsWrite: false);
                    return;
                }

                _results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, version, head ? null : version.ToResource(), IsWrite: false);
                return;
            }

            case EntryInteraction.VRead:
            {
                var version = _pending.TryGetValue((entry.ResourceType, entry.Id!), out var p) && p.Write is { } w && w.VersionId == entry.VersionId
                    ? ToVersion(w)
                    : await _store.ReadVersionAsync(entry.ResourceType, entry.Id!, entry.VersionId!.Value, cancellationToken);
                version = Readable(version, $"{entry.ResourceType}/{entry.Id} has no version {entry.VersionId}");
                _results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, version, head ? null : version.ToResource(), IsWrite: false);
                return;
            }

            case EntryInteraction.Search when _isBatch:
            {
                // A batch entry sees only committed data, so the full search engine answers it: sorting, paging
                // links, _include, _summary/_elements and the outcome entry for ignored parameters, as GET would.
                var parameters = QueryParameters.Parse(entry.Query).ToList();
                var cursor = SearchBundleFactory.TakeCursor(parameters);
                var query = _authorizeSearch(_parser.Parse(entry.ResourceType, parameters));
                var result = _filterResult(await _store.SearchAsync(new SearchRequest(query, [entry.ResourceType], cursor), cancellationToken));
                var searchset = SearchBundleFactory.Create(
                    _baseUrl, $"{_baseUrl}/{entry.ResourceType}", SearchBundleFactory.AppliedParameters(parameters, query), cursor, query, result);
                _results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, null, head ? null : searchset.WithResources(), IsWrite: false);
                return;
            }

            case EntryInteraction.Search:
            {
                // A transaction's GET entries run after its writes and must see them before they are committed, so they
                // are matched here against the store plus this transaction's pending resources.
                var count = SearchCount(entry.Query);
                var matches = await FindAsync(entry.ResourceType, entry.Query, Matching.Search, count, cancellationToken);
                var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Timestamp = DateTimeOffset.UtcNow };
                bundle.Link.Add(new Bundle.LinkComponent
                {
                    Relation = "self",
                    Url = $"{_baseUrl}/{entry.ResourceType}" + (entry.Query.Length > 0 ? "?" + entry.Query : string.Empty),
                });
                foreach (var match in matches.Take(count))
                {
                    bundle.Entry.Add(new Bundle.EntryComponent
                    {
                        FullUrl = $"{_baseUrl}/{entry.ResourceType}/{match.Id}",
                        Resource = match.Stored?.ToResource() ?? match.Pending!.Resource,
                        Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
                    });
                }

                _results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, null, head ? null : bundle, IsWrite: false);
                return;
            }
        }
    }

    private static ResourceVersion Readable(ResourceVersion? version, string notFound) =>
        version is null
            ? throw FhirOperationException.NotFound(notFound)
            : version.IsDeleted ? throw new ResourceGoneException(version) : version;

    private static int SearchCount(string query)
    {
        var text = QueryParameters.Parse(query).LastOrDefault(p => p.Key == "_count").Value;
        if (string.IsNullOrEmpty(text))
        {
            return SearchQuery.DefaultCount;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? Math.Min(count, SearchQuery.MaxCount)
            : throw FhirOperationException.BadRequest($"_count '{text}' is not a whole number");
    }

    // ---- matching over the database and this transaction ------------------------------------------------------------

    /// <summary>
    /// Current resources matching a search: those in the database that this transaction does not change, plus those
    /// this transaction writes, judged on their new content. Conditions and hook lookups refuse parameters the server
    /// would ignore, since ignoring one would match more than was meant; a GET search entry ignores them, as a search does.
    /// </summary>
    private async Task<List<Match>> FindAsync(string resourceType, string query, Matching matching, int limit, CancellationToken cancellationToken)
    {
        var criteria = QueryParameters.Parse(query).Where(p => !ResultParameters.Contains(p.Key)).ToList();
        if (matching == Matching.Condition && criteria.Count == 0)
        {
            throw FhirOperationException.BadRequest($"The condition '{query}' has no search parameters");
        }

        var parsed = _parser.Parse(resourceType, criteria);

        // The caller's conditions and searches may not reach types its scopes do not cover; a write hook's lookups are the server's own.
        if (matching != Matching.Hook)
        {
            _authorizeSearch(parsed);
        }

        if (parsed.Ignored.Count > 0)
        {
            if (matching != Matching.Search)
            {
                throw FhirOperationException.BadRequest(
                    $"The condition '{query}' uses parameters this server cannot apply: "
                    + string.Join("; ", parsed.Ignored.Select(i => $"{i.Name}: {i.Reason}")));
            }

            criteria.RemoveAll(c => parsed.Ignored.Any(i => i.Name == c.Key && i.Value == c.Value));
        }

        var ours = _pending.Values.Where(p => p.Type == resourceType).ToList();
        var stored = await _store.FindCurrentAsync(resourceType, criteria, limit + ours.Count, cancellationToken);
        var matches = stored
            .Where(v => !_pending.ContainsKey((resourceType, v.Id)))
            .Select(v => new Match(v.Id, v, null))
            .ToList();
        matches.AddRange(ours
            .Where(p => p.Resource is not null && _matcher.Matches(parsed, p.Resource))
            .Select(p => new Match(p.Id, null, p)));
        return matches;
    }

    // ---- IResourceReader for write hooks: they see this transaction's resources too ------------------------------------

    async Task<Resource?> IResourceReader.ReadAsync(string resourceType, string id, CancellationToken cancellationToken)
    {
        if (_pending.TryGetValue((resourceType, id), out var pending))
        {
            return pending.Resource;
        }

        var version = await _store.ReadCurrentAsync(resourceType, id, cancellationToken);
        return version is null || version.IsDeleted ? null : SharedDefinitions.Materialize(version);
    }

    IReadOnlyCollection<ResourceKey> IResourceReader.PendingChanges => _pendingKeys;

    async Task<IReadOnlyList<Resource>> IResourceReader.SearchAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken)
    {
        var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var matches = await FindAsync(resourceType, query, Matching.Hook, HookSearchLimit, cancellationToken);
        return [.. matches.Select(m => (m.Stored is null ? null : SharedDefinitions.Materialize(m.Stored)) ?? m.Pending!.Resource!)];
    }

    private static bool EntityTagNames(string header, int versionId)
    {
        var v = versionId.ToString(CultureInfo.InvariantCulture);
        return header.Split(',').Select(t => t.Trim()).Any(t => t == "*" || t == $"W/\"{v}\"" || t == $"\"{v}\"");
    }

    private static ResourceVersion ToVersion(ResourceWrite write) =>
        new(write.ResourceType, write.Id, write.VersionId, write.LastUpdated, write.IsDeleted, write.Json, write.Method);

    /// <summary>A resource this unit changes: its content (null for a delete) and, once prepared, its new version.</summary>
    private sealed class Pending(BundleEntryRequest entry, string type, string id, Resource? resource)
    {
        public BundleEntryRequest Entry { get; } = entry;

        public string Type { get; } = type;

        public string Id { get; } = id;

        public Resource? Resource { get; } = resource;

        public ResourceWrite? Write { get; set; }
    }

    private sealed record Match(string Id, ResourceVersion? Stored, Pending? Pending);

    private enum Matching
    {
        /// <summary>ifNoneExist, conditional update/delete, conditional references: at least one parameter, all applied.</summary>
        Condition,

        /// <summary>A write hook's lookup: every parameter applied.</summary>
        Hook,

        /// <summary>A GET search entry: unknown parameters are ignored, as in a search.</summary>
        Search,
    }
}
