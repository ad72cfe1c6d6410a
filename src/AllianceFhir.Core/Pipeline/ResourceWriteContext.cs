using AllianceFhir.Core.References;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Pipeline;

/// <summary>What a write hook sees of one write, and where it records the resources it derives.</summary>
public sealed class ResourceWriteContext(
    WriteOperation operation,
    string resourceType,
    string id,
    Resource? resource,
    Resource? previous,
    IResourceReader reader,
    ServiceBase? serviceBase = null)
{
    private readonly List<Resource> _dependentWrites = [];
    private readonly HashSet<Resource> _issuedIds = new(ReferenceEqualityComparer.Instance);

    public WriteOperation Operation { get; } = operation;

    public string ResourceType { get; } = resourceType;

    public string Id { get; } = id;

    /// <summary>The resource being written, with server id and meta; hooks may change it (e.g. computed scores). Null for a delete.</summary>
    public Resource? Resource { get; } = resource;

    /// <summary>The current stored version before this write, or null when there is none (or it was deleted).</summary>
    public Resource? Previous { get; } = previous;

    public IResourceReader Reader { get; } = reader;

    /// <summary>The base this write takes as the server's own (<see cref="References.ServiceBase"/>): the request's, or a job's.</summary>
    public ServiceBase ServiceBase { get; } = serviceBase ?? ServiceBase.None;

    /// <summary>
    /// Resources to create (no id) or update (id of an existing resource) in the same transaction, each as a new
    /// version. Dependent writes do not run hooks themselves.
    /// </summary>
    public IReadOnlyList<Resource> DependentWrites => _dependentWrites;

    public void AddDependentWrite(Resource resource) => _dependentWrites.Add(resource);

    /// <summary>
    /// A new resource whose id the hook has just issued (<c>FhirId.New()</c>, so that other derived resources can refer
    /// to it): version 1 by construction, so its write does not ask the store whether the id already exists (a read per
    /// score Observation of every submit, always a miss).
    /// </summary>
    public void AddDependentCreate(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        _dependentWrites.Add(resource);
        _issuedIds.Add(resource);
    }

    /// <summary>Whether <paramref name="resource"/> came through <see cref="AddDependentCreate"/>.</summary>
    public bool IsDependentCreate(Resource resource) => _issuedIds.Contains(resource);
}
