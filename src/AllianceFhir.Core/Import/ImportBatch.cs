using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Import;

/// <summary>
/// The writes an import collects for one commit, and the reader its lines are prepared through: reads and searches see
/// every resource of the batch — the lines' own and what their hooks derived (scores, Flags) — as they will be once the
/// batch commits, so a later line is judged as if each line before it had been written over REST (a patient's second
/// session sees the first one's scores and Flags). A line that would write a resource (or claim an identifier) the batch
/// already holds is committed after the batch, never in it, so each version is prepared over the one stored before it.
/// While a batch commits, the next one is prepared over it (<see cref="Previous"/>) in the same way.
/// </summary>
public sealed class ImportBatch(IResourceReader stored, SearchService search) : IResourceReader
{
    private readonly Dictionary<ResourceKey, Held> _pending = [];
    private readonly Dictionary<string, Dictionary<string, Held>> _byType = new(StringComparer.Ordinal);
    private readonly HashSet<string> _conditions = new(StringComparer.Ordinal);
    private readonly List<ResourceWrite> _writes = [];

    public IReadOnlyList<ResourceWrite> Writes => _writes;

    /// <summary>The batch committing while this one is prepared; null once it has committed.</summary>
    public ImportBatch? Previous { get; set; }

    public bool IsEmpty => _writes.Count == 0;

    public bool Holds(ResourceKey key) => _pending.ContainsKey(key);

    public bool HoldsCondition(string condition) => _conditions.Contains(condition);

    public bool HoldsAny(IEnumerable<ResourceWrite> writes) => writes.Any(w => _pending.ContainsKey(new ResourceKey(w.ResourceType, w.Id)));

    /// <summary>One line's writes and, in the same order, the resources they hold.</summary>
    public void Add(IReadOnlyList<ResourceWrite> writes, IReadOnlyList<Resource?> resources, string? condition)
    {
        _writes.AddRange(writes);
        for (var i = 0; i < writes.Count; i++)
        {
            if (resources[i] is not { } resource)
            {
                continue;
            }

            var held = new Held(resource, writes[i].Index);
            _pending[new ResourceKey(writes[i].ResourceType, writes[i].Id)] = held;
            if (!_byType.TryGetValue(writes[i].ResourceType, out var ofType))
            {
                _byType[writes[i].ResourceType] = ofType = new(StringComparer.Ordinal);
            }

            ofType[writes[i].Id] = held;
        }

        if (condition is not null)
        {
            _conditions.Add(condition);
        }
    }

    public Task<Resource?> ReadAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        _pending.TryGetValue(new ResourceKey(resourceType, id), out var held)
            ? Task.FromResult<Resource?>(held.Resource)
            : (Previous ?? stored).ReadAsync(resourceType, id, cancellationToken);

    public Task<bool> ExistsAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        _pending.ContainsKey(new ResourceKey(resourceType, id))
            ? Task.FromResult(true)
            : (Previous ?? stored).ExistsAsync(resourceType, id, cancellationToken);

    /// <summary>
    /// The stored matches the batches not yet committed do not replace, plus their own resources that match, judged on
    /// the index values their writes carry (what the store will hold once they commit).
    /// </summary>
    public async Task<IReadOnlyList<Resource>> SearchAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken)
    {
        var found = await stored.SearchAsync(resourceType, parameters, cancellationToken);
        var overlay = Overlay(resourceType);
        if (overlay.Count == 0)
        {
            return found;
        }

        var query = search.Parse(resourceType, parameters);
        List<Resource> matches = [.. found.Where(r => r.Id is null || !overlay.ContainsKey(r.Id))];
        matches.AddRange(overlay.Values.Where(h => PendingResourceMatcher.Matches(query, h.Values)).Select(h => h.Resource));
        return matches;
    }

    /// <summary>This batch's resources of a type over those of the batch in flight (a later version wins).</summary>
    private Dictionary<string, Held> Overlay(string resourceType)
    {
        var mine = _byType.GetValueOrDefault(resourceType);
        var before = Previous?._byType.GetValueOrDefault(resourceType);
        if (before is null || before.Count == 0)
        {
            return mine ?? [];
        }

        var merged = new Dictionary<string, Held>(before, StringComparer.Ordinal);
        foreach (var (id, held) in mine ?? [])
        {
            merged[id] = held;
        }

        return merged;
    }

    /// <summary>A resource the batch writes, with its index values looked up by parameter on first use.</summary>
    private sealed class Held(Resource resource, IReadOnlyList<SearchIndexValue> index)
    {
        private ILookup<string, SearchIndexValue>? _values;

        public Resource Resource { get; } = resource;

        public ILookup<string, SearchIndexValue> Values => _values ??= index.ToLookup(v => v.ParamName, StringComparer.Ordinal);
    }
}
