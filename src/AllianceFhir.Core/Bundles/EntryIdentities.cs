using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// Identity and reference rewriting, R4 transaction steps 1 to 5: decides which resource each write entry ends up as
/// (a new id, the URL's id, or what its condition matched), then rewrites references to fullUrls into those identities
/// and resolves conditional references (<c>Patient?identifier=…</c>).
/// </summary>
internal sealed class EntryIdentities(
    PendingResources pending,
    PendingReader reader,
    bool isBatch,
    IReadOnlyDictionary<(string Type, string Condition), string?> claimOwners)
{
    private const int ConditionLimit = 2;

    private readonly Dictionary<int, ResourceVersion> _matchedExisting = [];
    private readonly Dictionary<int, Pending> _matchedPending = [];
    private readonly Dictionary<int, ConditionClaim> _claims = [];
    private readonly HashSet<(string Type, string Condition)> _claimed = [];

    /// <summary>A conditional create whose condition matched a stored resource: it answers with that one and writes nothing.</summary>
    public bool TryGetMatchedExisting(int entryIndex, out ResourceVersion existing) => _matchedExisting.TryGetValue(entryIndex, out existing!);

    public bool MatchedPending(int entryIndex) => _matchedPending.ContainsKey(entryIndex);

    /// <summary>The conditional creates that matched <paramref name="target"/>, a resource this unit writes: they answer with it.</summary>
    public IEnumerable<int> EntriesMatching(Pending target) =>
        _matchedPending.Where(m => ReferenceEquals(m.Value, target)).Select(m => m.Key);

    /// <summary>The claim a conditional entry that matched nothing puts on its condition (see <see cref="ConditionClaim"/>).</summary>
    public ConditionClaim? ClaimOf(int entryIndex) => _claims.GetValueOrDefault(entryIndex);

    public async Task AssignAsync(BundleEntryRequest entry, CancellationToken cancellationToken)
    {
        switch (entry.Interaction)
        {
            case EntryInteraction.Delete:
                pending.Register(entry, entry.Id!, resource: null);
                break;
            case EntryInteraction.ConditionalDelete:
            {
                var matches = await reader.FindAsync(entry.ResourceType, entry.Query, EntryMatching.Condition, ConditionLimit, cancellationToken);
                if (matches.Count > 1)
                {
                    throw FhirOperationException.PreconditionFailed($"The conditional delete matched more than one {entry.ResourceType}");
                }

                if (matches.Count == 1)
                {
                    pending.Register(entry, matches[0].Id, resource: null);
                }

                break;
            }

            case EntryInteraction.Create when entry.IfNoneExist is not null:
            {
                var matches = await reader.FindAsync(entry.ResourceType, entry.IfNoneExist, EntryMatching.Condition, ConditionLimit, cancellationToken);
                switch (matches.Count)
                {
                    case 0:
                        pending.Register(entry, FhirId.New(), entry.Resource);
                        Claim(entry, entry.IfNoneExist);
                        break;
                    case 1 when matches[0].Pending is { } matched:
                        _matchedPending[entry.Index] = matched;
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
                pending.Register(entry, FhirId.New(), entry.Resource);
                break;
            case EntryInteraction.Update:
                pending.Register(entry, entry.Id!, entry.Resource);
                break;
            case EntryInteraction.ConditionalUpdate:
            {
                var matches = await reader.FindAsync(entry.ResourceType, entry.Query, EntryMatching.Condition, ConditionLimit, cancellationToken);
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

                pending.Register(entry, matches.Count == 1 ? matches[0].Id : bodyId is { Length: > 0 } ? bodyId : FhirId.New(), entry.Resource);
                if (matches.Count == 0)
                {
                    Claim(entry, entry.Query);
                }

                break;
            }
        }
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
            _claims[entry.Index] = new ConditionClaim(condition, claimOwners.GetValueOrDefault((entry.ResourceType, condition)));
        }
    }

    /// <summary>fullUrl → the local reference <c>Type/id</c> of the resource that entry ends up as.</summary>
    public Dictionary<string, string> Map(IEnumerable<BundleEntryRequest> entries)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, BundleEntryRequest>(StringComparer.Ordinal);
        foreach (var entry in entries.Where(e => e.FullUrl is not null && e.Resource is not null))
        {
            string? target = null;
            if (pending.TryGetByEntry(entry.Index, out var own))
            {
                target = $"{own.Type}/{own.Id}";
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

    public void RewriteReferences(Pending resource, IReadOnlyDictionary<string, string> identities)
    {
        var unresolved = ReferenceRewriter.Rewrite(resource.Resource!, identities);
        if (unresolved.Count > 0)
        {
            throw FhirOperationException.BadRequest(isBatch
                ? $"The reference {unresolved[0]} points at no resource: entries of a batch are independent and cannot reference each other's fullUrls"
                : $"The reference {unresolved[0]} is the fullUrl of no entry in this Bundle");
        }
    }

    public async Task ResolveConditionalReferencesAsync(Pending resource, CancellationToken cancellationToken)
    {
        foreach (var reference in ReferenceRewriter.References(resource.Resource!).ToList())
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

            var matches = await reader.FindAsync(type, text[(q + 1)..], EntryMatching.Condition, ConditionLimit, cancellationToken);
            reference.Reference = matches.Count switch
            {
                1 => $"{type}/{matches[0].Id}",
                0 => throw FhirOperationException.Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.NotFound,
                    $"The conditional reference '{text}' matches no {type}"),
                _ => throw FhirOperationException.PreconditionFailed($"The conditional reference '{text}' matches more than one {type}"),
            };
        }
    }
}
