using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Pipeline;

/// <summary>
/// Read access to stored current resources for hooks and operations. Definitional resources (Questionnaire, ValueSet,
/// CodeSystem) come from a cache shared between requests (<see cref="Resources.SharedDefinitions"/>): treat what this
/// returns as read-only, and DeepCopy a resource before changing it.
/// </summary>
public interface IResourceReader
{
    /// <summary>The current version, or null when absent or deleted.</summary>
    Task<Resource?> ReadAsync(string resourceType, string id, CancellationToken cancellationToken);

    /// <summary>All current resources of a type matching FHIR search parameters (AND across entries).</summary>
    Task<IReadOnlyList<Resource>> SearchAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken);
}
