using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Import;

/// <summary>
/// The writes an import collects for one commit, and the reader its lines are checked through: a reference to a
/// resource of an earlier line of the same batch resolves, as it will once the batch commits. A line that would write a
/// resource (or claim an identifier) the batch already holds is committed after the batch, never in it, so each version
/// is prepared over the one stored before it. While a batch commits, the next one is prepared over it
/// (<see cref="Previous"/>): references to its resources resolve as they will once it has committed.
/// </summary>
public sealed class ImportBatch(IResourceReader stored) : IResourceReader
{
    private readonly Dictionary<ResourceKey, Resource> _pending = [];
    private readonly HashSet<string> _conditions = new(StringComparer.Ordinal);
    private readonly List<ResourceWrite> _writes = [];

    public IReadOnlyList<ResourceWrite> Writes => _writes;

    /// <summary>The batch committing while this one is prepared; null once it has committed.</summary>
    public ImportBatch? Previous { get; set; }

    public bool IsEmpty => _writes.Count == 0;

    public bool Holds(ResourceKey key) => _pending.ContainsKey(key);

    public bool HoldsCondition(string condition) => _conditions.Contains(condition);

    public bool HoldsAny(IEnumerable<ResourceWrite> writes) => writes.Any(w => _pending.ContainsKey(new ResourceKey(w.ResourceType, w.Id)));

    public void Add(IReadOnlyList<ResourceWrite> writes, IEnumerable<Resource> resources, string? condition)
    {
        _writes.AddRange(writes);
        foreach (var resource in resources)
        {
            _pending[new ResourceKey(resource.TypeName, resource.Id ?? string.Empty)] = resource;
        }

        if (condition is not null)
        {
            _conditions.Add(condition);
        }
    }

    public void Clear()
    {
        _pending.Clear();
        _conditions.Clear();
        _writes.Clear();
    }

    public Task<Resource?> ReadAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        _pending.TryGetValue(new ResourceKey(resourceType, id), out var resource)
            ? Task.FromResult<Resource?>(resource)
            : (Previous ?? stored).ReadAsync(resourceType, id, cancellationToken);

    public Task<bool> ExistsAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        _pending.ContainsKey(new ResourceKey(resourceType, id))
            ? Task.FromResult(true)
            : (Previous ?? stored).ExistsAsync(resourceType, id, cancellationToken);

    public Task<IReadOnlyList<Resource>> SearchAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken) =>
        stored.SearchAsync(resourceType, parameters, cancellationToken);
}
