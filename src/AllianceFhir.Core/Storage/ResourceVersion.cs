namespace AllianceFhir.Core.Storage;

/// <summary>One stored version of a resource, as the store holds it.</summary>
/// <param name="Json">The stored JSON, byte-for-byte what the server wrote; null for a version that records a delete.</param>
/// <param name="Method">The HTTP verb that produced this version (POST, PUT, PATCH, DELETE), for history entries.</param>
/// <param name="Sequence">The store's write order of this version: history pages continue from it.</param>
public sealed record ResourceVersion(
    string ResourceType,
    string Id,
    int VersionId,
    DateTimeOffset LastUpdated,
    bool IsDeleted,
    string? Json,
    string Method,
    long Sequence = 0);
