using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Storage;

/// <summary>
/// A new version to persist. <see cref="VersionId"/> is the new version number; the store makes it current and
/// moves the previous one (VersionId - 1) to history. Two writes of the same new version cannot both succeed.
/// </summary>
/// <param name="Claim">Set on the version a conditional write creates, so that racing conditional writes make one resource.</param>
public sealed record ResourceWrite(
    string ResourceType,
    string Id,
    int VersionId,
    DateTimeOffset LastUpdated,
    bool IsDeleted,
    string? Json,
    string Method,
    IReadOnlyList<SearchIndexValue> Index,
    ConditionClaim? Claim = null)
{
    /// <summary>
    /// Set on the write of an AuditEvent, a virtual type: the store keeps this narrow row instead of a resource version
    /// (<see cref="Json"/> is null, <see cref="Index"/> empty), in the same transaction as the rest of the commit.
    /// </summary>
    public Audit.AuditEventRow? Audit { get; init; }

    /// <summary>The version this write makes, as a read will see it once it is committed.</summary>
    public ResourceVersion ToVersion() => new(ResourceType, Id, VersionId, LastUpdated, IsDeleted, Json, Method);
}
