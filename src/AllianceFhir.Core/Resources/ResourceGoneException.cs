using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Resources;

/// <summary>The resource (or the asked version) records a delete: 410, with the version's ETag and Last-Modified.</summary>
public sealed class ResourceGoneException(ResourceVersion deletedVersion)
    : Exception($"{deletedVersion.ResourceType}/{deletedVersion.Id} was deleted")
{
    public ResourceVersion DeletedVersion { get; } = deletedVersion;
}
