using AllianceFhir.Core.Storage;

namespace AllianceFhir.Storage;

/// <summary>
/// Reads of one resource version by id: the hottest queries of the API, so each provider serves them its fastest way.
/// Exactly the named tenant's row; which tenants a caller sees is the store's decision.
/// </summary>
public interface IVersionReader
{
    Task<ResourceVersion?> ReadCurrentAsync(string tenant, string resourceType, string id, CancellationToken cancellationToken);

    Task<ResourceVersion?> ReadVersionAsync(string tenant, string resourceType, string id, int versionId, CancellationToken cancellationToken);
}
