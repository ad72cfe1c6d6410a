namespace AllianceFhir.Core.Storage;

/// <summary>Thrown by a store when another writer created the same version first.</summary>
public sealed class VersionConflictException : Exception
{
    public VersionConflictException(string resourceType, string id, int versionId, Exception? inner = null)
        : base($"{resourceType}/{id} version {versionId} was written concurrently", inner)
    {
        ResourceType = resourceType;
        Id = id;
        VersionId = versionId;
    }

    public string ResourceType { get; }

    public string Id { get; }

    public int VersionId { get; }
}
