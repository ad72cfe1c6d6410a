namespace AllianceFhir.Storage.Entities;

/// <summary>One row per resource version. The current version has <see cref="IsHistory"/> false.</summary>
public sealed class ResourceEntity
{
    /// <summary>Surrogate key: index rows and keyset paging refer to it.</summary>
    public long Surrogate { get; set; }

    public required string TenantId { get; set; }

    public required string ResourceType { get; set; }

    public required string ResourceId { get; set; }

    public int VersionId { get; set; }

    public bool IsHistory { get; set; }

    public bool IsDeleted { get; set; }

    /// <summary>UTC, millisecond precision (as the server stamps meta.lastUpdated).</summary>
    public DateTime LastUpdated { get; set; }

    /// <summary>POST, PUT, PATCH or DELETE: the request that made this version, for history bundles.</summary>
    public required string Method { get; set; }

    /// <summary>The resource exactly as the server serialized it; null for a delete.</summary>
    public string? Json { get; set; }
}
