namespace AllianceFhir.Storage;

public enum StorageProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>The <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Apply pending migrations when the service starts (on by default; turn off where a DBA migrates).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>The tenant this deployment serves. Every table carries it so several tenants can share a database later.</summary>
    public string TenantId { get; set; } = "default";

    /// <summary>The database connection string; the host fills it from <c>ConnectionStrings:Fhir</c>.</summary>
    public string? ConnectionString { get; set; }
}
