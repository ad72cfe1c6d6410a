namespace AllianceFhir.Storage;

public enum StorageProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>SQLite's <c>PRAGMA synchronous</c> in WAL mode: when a commit is synced to disk (docs/reliability.md, Crashes).</summary>
public enum SqliteSynchronous
{
    /// <summary>Synced at checkpoints: durable across a process crash; an OS crash or power loss may undo the latest commits.</summary>
    Normal,

    /// <summary>The WAL is synced after every commit (once per group commit): durable across an OS crash or power loss too.</summary>
    Full,
}

/// <summary>The <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Apply pending migrations when the service starts (on by default; turn off where a DBA migrates).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// The default tenant: the clinic of callers whose token names none (and of the open Development server). Every
    /// table carries the tenant, so clinics share one database without seeing each other's rows.
    /// </summary>
    public string TenantId { get; set; } = "default";

    /// <summary>SQLite only: whether every commit waits for the disk (Full) or only checkpoints do (Normal).</summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Normal;

    /// <summary>The database connection string; the host fills it from <c>ConnectionStrings:Fhir</c>.</summary>
    public string? ConnectionString { get; set; }
}
