using AllianceFhir.Storage;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Hosting;

public static class DatabaseMigration
{
    /// <summary>
    /// Creates or upgrades the database before the first request. With Storage:MigrateOnStart off the schema is someone
    /// else's to migrate, but the data steps of an upgrade (keys for rows written before it) still run here.
    /// </summary>
    public static async Task MigrateFhirDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        if (app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.MigrateOnStart)
        {
            await FhirDatabase.MigrateAsync(db);
        }
        else
        {
            await FhirDatabase.FinishUpgradeAsync(db);
        }
    }
}
