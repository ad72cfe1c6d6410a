using AllianceFhir.Core.Storage;
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

    /// <summary>Whether the resource is current and not deleted; a reader over the store overrides it to skip parsing.</summary>
    async Task<bool> ExistsAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        await ReadAsync(resourceType, id, cancellationToken) is not null;

    /// <summary>
    /// Resources that the unit of work this reader belongs to (a transaction) changes or deletes but has not committed:
    /// their stored state is about to be replaced, so checks judge them by what the unit writes, which
    /// <see cref="ReadAsync"/> returns (null for a delete). Empty outside a transaction.
    /// </summary>
    IReadOnlyCollection<ResourceKey> PendingChanges => [];
}
