using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>Creates or upgrades the store's schema, and finishes the data steps a migration cannot express in SQL.</summary>
public static class FhirDatabase
{
    public static async Task MigrateAsync(FhirDbContext db, CancellationToken cancellationToken = default)
    {
        await db.Database.MigrateAsync(cancellationToken);
        await ParamKeyBackfill.RunAsync(db, cancellationToken);
    }
}
