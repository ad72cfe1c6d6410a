using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace AllianceFhir.Api.Tests.Infrastructure;

/// <summary>
/// The real application over a real SQLite database file of its own, created and migrated on start and deleted
/// afterwards. Tests talk HTTP to it; nothing of the storage is replaced.
/// </summary>
public class FhirApplication : WebApplicationFactory<Program>
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);

    public FhirApplication()
    {
        Directory.CreateDirectory(_directory);
        DatabasePath = Path.Combine(_directory, "fhir.db");
        _settings["ConnectionStrings:Fhir"] = $"Data Source={DatabasePath}";
        _settings["Storage:Provider"] = "Sqlite";
    }

    public string DatabasePath { get; }

    /// <summary>Leaves the database file behind on dispose, for a test that reopens it (and deletes it itself).</summary>
    public bool KeepDatabase { get; init; }

    /// <summary>
    /// Development by default, as <c>dotnet run</c> starts: without Auth:Authority the server then runs open, as these
    /// tests expect. Auth tests point it at an IdP stand-in; start-up tests choose Production.
    /// </summary>
    public string EnvironmentName { get; set; } = "Development";

    /// <summary>Overrides a configuration value before the app starts (e.g. a smaller body limit).</summary>
    public FhirApplication With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>
    /// Bulk export files in a folder of this app's own, deleted with its database, and the export worker polling every
    /// 100 ms so that tests wait little for a job.
    /// </summary>
    public FhirApplication WithExportFolder() =>
        With("Export:Folder", Path.Combine(_directory, "export")).With("Export:PollMilliseconds", "100");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);

        // Program.cs reads the storage settings while registering services, before the app configuration callbacks
        // of the factory run; host settings are visible that early. Without this every test shared data/alliancefhir.db.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_settings));
        builder.ConfigureLogging(logging => logging
            .AddProvider(new UnorderedPageGuard())
            .AddFilter<UnorderedPageGuard>(DbLoggerCategory.Query.Name, LogLevel.Debug));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (KeepDatabase)
            {
                return;
            }

            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a pooled connection is only left in the temp folder.
            }
        }
    }
}
