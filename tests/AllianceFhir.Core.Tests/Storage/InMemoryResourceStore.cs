using System.Globalization;
using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Tests.Storage;

/// <summary>
/// The store port kept in lists, for testing Core's service rules without a database: one version per write, all of a
/// commit or none of it, version numbers checked (<see cref="VersionConflictException"/>), condition claims held
/// (<see cref="ConditionClaimedException"/>), and searches evaluated on the index values with the same matcher a
/// transaction uses for its pending resources. What that matcher cannot evaluate (chains, dates, sorts, includes) is
/// refused here rather than approximated: those belong to the HTTP and Storage tests over SQLite.
/// </summary>
internal sealed class InMemoryResourceStore(ISearchIndexer indexer, string tenant = "test") : IResourceStore
{
    private readonly object _gate = new();
    private readonly List<Stored> _versions = [];
    private readonly Dictionary<(string Type, string Condition), string> _claims = [];

    public string Tenant => tenant;

    /// <summary>How many commits reached the store (each one all or nothing).</summary>
    public int Commits { get; private set; }

    /// <summary>Every version ever written, oldest first.</summary>
    public IReadOnlyList<ResourceVersion> AllVersions
    {
        get
        {
            lock (_gate)
            {
                return [.. _versions.Select(v => v.Version)];
            }
        }
    }

    /// <summary>Runs before each commit is applied, to let a test make a concurrent writer win first.</summary>
    public Action<IReadOnlyList<ResourceWrite>>? BeforeCommit { get; set; }

    /// <summary>Every <c>Type/id</c> asked for by <see cref="ReadCurrentAsync"/>, in order.</summary>
    public IReadOnlyList<string> CurrentReads
    {
        get
        {
            lock (_gate)
            {
                return [.. _currentReads];
            }
        }
    }

    private readonly List<string> _currentReads = [];

    public Task<ResourceVersion?> ReadCurrentAsync(string resourceType, string id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _currentReads.Add($"{resourceType}/{id}");
            return Task.FromResult(Current(resourceType, id)?.Version);
        }
    }

    public Task<ResourceVersion?> ReadVersionAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_versions.LastOrDefault(v => Is(v, resourceType, id) && v.Version.VersionId == versionId)?.Version);
        }
    }

    public Task<IReadOnlyList<ResourceVersion>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ResourceVersion> page = [.. _versions
                .Where(v => query.ResourceType is null || v.Version.ResourceType == query.ResourceType)
                .Where(v => query.Id is null || v.Version.Id == query.Id)
                .Where(v => query.Since is null || v.Version.LastUpdated >= query.Since)
                .Where(v => query.Before is null || v.Version.Sequence < query.Before)
                .Select(v => v.Version)
                .OrderByDescending(v => v.Sequence)
                .Take(query.Count)];
            return Task.FromResult(page);
        }
    }

    public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (query.Sort.Count > 0 || query.Includes.Count > 0 || query.RevIncludes.Count > 0)
        {
            throw new NotSupportedException("The in-memory store returns matches in write order only, without includes");
        }

        List<ResourceVersion> matching;
        lock (_gate)
        {
            var matcher = new PendingResourceMatcher(indexer);
            matching = [.. CurrentVersions()
                .Where(v => !v.IsDeleted && request.ResourceTypes.Contains(v.ResourceType))
                .Where(v => matcher.Matches(query, v.ToResource()!))
                .OrderBy(v => v.Sequence)];
        }

        var total = query.Total is TotalMode.Accurate or TotalMode.Estimate || query.Summary == SummaryMode.Count ? matching.Count : (int?)null;
        if (query.Summary == SummaryMode.Count || query.Count == 0)
        {
            return Task.FromResult(new SearchResult([], [], total ?? matching.Count, null, null));
        }

        // The cursor is the sequence of the row the page continues after ('a') or before ('b').
        var (backward, position) = request.Cursor is { Length: > 1 } cursor
            && cursor[0] is 'a' or 'b'
            && long.TryParse(cursor.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            ? (cursor[0] == 'b', at)
            : request.Cursor is null ? (false, 0L) : throw FhirOperationException.BadRequest("The cursor is not one this search produced");
        var page = backward
            ? matching.Where(v => v.Sequence < position).TakeLast(query.Count).ToList()
            : matching.Where(v => v.Sequence > position).Take(query.Count).ToList();
        var next = page.Count > 0 && matching.Any(v => v.Sequence > page[^1].Sequence) ? $"a{page[^1].Sequence}" : null;
        var previous = page.Count > 0 && matching.Any(v => v.Sequence < page[0].Sequence) ? $"b{page[0].Sequence}" : null;
        if (total is null && query.Total != TotalMode.None && request.Cursor is null && next is null)
        {
            total = page.Count;
        }

        return Task.FromResult(new SearchResult(page, [], query.Total == TotalMode.None ? null : total, next, previous));
    }

    public Task<IReadOnlyList<ResourceKey>> FindReferrersAsync(string resourceType, string id, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ResourceKey> referrers = [.. CurrentStored()
                .Where(s => !s.Version.IsDeleted && Referrers.Counts(s.Version.ResourceType))
                .Where(s => s.Index.OfType<ReferenceIndexValue>().Any(r => r.TargetType == resourceType && r.TargetId == id))
                .Select(s => new ResourceKey(s.Version.ResourceType, s.Version.Id))
                .Distinct()
                .Take(limit)];
            return Task.FromResult(referrers);
        }
    }

    public Task CommitAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken)
    {
        BeforeCommit?.Invoke(writes);
        lock (_gate)
        {
            // Every check before the first change: a commit is stored whole or not at all.
            foreach (var write in writes)
            {
                var expected = (Current(write.ResourceType, write.Id)?.Version.VersionId ?? 0) + 1;
                if (write.VersionId != expected)
                {
                    throw new VersionConflictException(write.ResourceType, write.Id, write.VersionId);
                }

                if (write.Claim is { } claim
                    && _claims.TryGetValue((write.ResourceType, claim.Condition), out var owner)
                    && owner != claim.Replaces)
                {
                    throw new ConditionClaimedException(write.ResourceType, write.Id, claim.Condition, owner);
                }
            }

            foreach (var write in writes)
            {
                var version = new ResourceVersion(
                    write.ResourceType, write.Id, write.VersionId, write.LastUpdated, write.IsDeleted, write.Json, write.Method, _versions.Count + 1);
                _versions.Add(new Stored(version, write.Index));
                if (write.Claim is { } claim)
                {
                    _claims[(write.ResourceType, claim.Condition)] = write.Id;
                }
            }

            Commits++;
        }

        return Task.CompletedTask;
    }

    private static bool Is(Stored stored, string resourceType, string id) =>
        stored.Version.ResourceType == resourceType && stored.Version.Id == id;

    private Stored? Current(string resourceType, string id) => _versions.LastOrDefault(v => Is(v, resourceType, id));

    private IEnumerable<Stored> CurrentStored() =>
        _versions.GroupBy(v => (v.Version.ResourceType, v.Version.Id)).Select(g => g.Last());

    private IEnumerable<ResourceVersion> CurrentVersions() => CurrentStored().Select(s => s.Version);

    private sealed record Stored(ResourceVersion Version, IReadOnlyList<SearchIndexValue> Index);
}
