using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>Creates or upgrades the store's schema, and finishes the data steps a migration cannot express in SQL.</summary>
public static class FhirDatabase
{
    public static async Task MigrateAsync(FhirDbContext db, CancellationToken cancellationToken = default)
    {
        await db.Database.MigrateAsync(cancellationToken);
        await FinishUpgradeAsync(db, cancellationToken);
    }

    /// <summary>
    /// The data steps alone, for a database whose migrations someone else applied (Storage:MigrateOnStart off, a DBA
    /// running the script): without them, rows written before the upgrade would be missing from searches. Does nothing
    /// when no step is pending.
    /// </summary>
    public static async Task FinishUpgradeAsync(FhirDbContext db, CancellationToken cancellationToken = default)
    {
        await ParamKeyBackfill.RunAsync(db, cancellationToken);
        await AuditEventMove.RunAsync(db, cancellationToken);
    }
}
