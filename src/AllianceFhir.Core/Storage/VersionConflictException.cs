namespace AllianceFhir.Core.Storage;

/// <summary>Thrown by a store when another writer created the same version first.</summary>
public sealed class VersionConflictException(string resourceType, string id, int versionId)
    : Exception($"{resourceType}/{id} version {versionId} was written concurrently")
{
    public string ResourceType { get; } = resourceType;

    public string Id { get; } = id;

    public int VersionId { get; } = versionId;
}
