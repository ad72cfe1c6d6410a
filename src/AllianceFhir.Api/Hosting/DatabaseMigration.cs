using AllianceFhir.Storage;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Hosting;

public static class DatabaseMigration
{
    /// <summary>Creates or upgrades the database before the first request (unless Storage:MigrateOnStart is off).</summary>
    public static async Task MigrateFhirDatabaseAsync(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.MigrateOnStart)
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        await FhirDatabase.MigrateAsync(db);
    }
}
