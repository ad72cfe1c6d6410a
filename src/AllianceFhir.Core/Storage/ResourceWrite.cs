using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Storage;

/// <summary>
/// A new version to persist. <see cref="VersionId"/> is the new version number; the store makes it current and
/// moves the previous one (VersionId - 1) to history. Two writes of the same new version cannot both succeed.
/// </summary>
public sealed record ResourceWrite(
    string ResourceType,
    string Id,
    int VersionId,
    DateTimeOffset LastUpdated,
    bool IsDeleted,
    string? Json,
    string Method,
    IReadOnlyList<SearchIndexValue> Index);
