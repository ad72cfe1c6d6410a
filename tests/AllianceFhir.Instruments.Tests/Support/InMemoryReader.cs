using AllianceFhir.Core.Pipeline;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Instruments.Tests.Support;

/// <summary>
/// A tiny stand-in for the store behind <see cref="IResourceReader"/>: equality search on the few parameters the
/// instruments use (Questionnaire url/version/status, Observation derived-from), current versions only.
/// </summary>
public sealed class InMemoryReader : IResourceReader
{
    private readonly Dictionary<(string Type, string Id), Resource> _resources = [];

    public InMemoryReader(params Resource[] resources)
    {
        foreach (var resource in resources)
        {
            Put(resource);
        }
    }

    public List<(string Type, IReadOnlyList<KeyValuePair<string, string>> Parameters)> Searches { get; } = [];

    public Resource Put(Resource resource)
    {
        resource.Id ??= Guid.NewGuid().ToString("N");
        _resources[(resource.TypeName, resource.Id)] = resource;
        return resource;
    }

    /// <summary>Applies a hook's dependent writes as the store would (create without id, update with id).</summary>
    public void Commit(ResourceWriteContext context)
    {
        foreach (var write in context.DependentWrites)
        {
            Put((Resource)write.DeepCopy());
        }
    }

    public IEnumerable<T> All<T>()
        where T : Resource => _resources.Values.OfType<T>();

    public Task<Resource?> ReadAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        Task.FromResult(_resources.GetValueOrDefault((resourceType, id)));

    public Task<IReadOnlyList<Resource>> SearchAsync(string resourceType, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        Searches.Add((resourceType, parameters));
        IReadOnlyList<Resource> matches = _resources.Values
            .Where(r => r.TypeName == resourceType && parameters.All(p => Matches(r, p.Key, p.Value)))
            .ToList();
        return Task.FromResult(matches);
    }

    private static bool Matches(Resource resource, string name, string value) => (resource, name) switch
    {
        (Questionnaire q, "url") => q.Url == value,
        (Questionnaire q, "version") => q.Version == value,
        (Questionnaire q, "status") => q.Status?.ToString().Equals(value, StringComparison.OrdinalIgnoreCase) == true,
        (Observation o, "derived-from") => o.DerivedFrom.Any(d => d.Reference == value),
        _ => throw new NotSupportedException($"search parameter {name} on {resource.TypeName}"),
    };
}
