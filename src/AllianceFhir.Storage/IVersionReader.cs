using AllianceFhir.Core.Storage;

namespace AllianceFhir.Storage;

/// <summary>Reads of one resource version by id: the hottest queries of the API, so each provider serves them its fastest way.</summary>
public interface IVersionReader
{
    Task<ResourceVersion?> ReadCurrentAsync(string resourceType, string id, CancellationToken cancellationToken);

    Task<ResourceVersion?> ReadVersionAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken);
}
