using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>The storage services as the API registers them, over a migrated SQLite file of their own.</summary>
public sealed class StorageServices : IAsyncDisposable
{
    /// <summary>The tenant these tests' stores and committers write, unless a test is about tenants.</summary>
    public const string Tenant = "default";

    public static readonly SearchParameterRegistry Registry = new(SupportedResourceTypes.All);
    private static readonly SearchIndexer Indexer = new(Registry);

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"alliancefhir-storage-{Guid.NewGuid():N}.db");

    private StorageServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Registry);
        services.Configure<StorageOptions>(o => o.ConnectionString = $"Data Source={_path}");
        services.AddFhirStorage();
        Provider = services.BuildServiceProvider();
    }

    public ServiceProvider Provider { get; }

    public static async Task<StorageServices> CreateAsync()
    {
        var services = new StorageServices();
        await using var scope = services.Provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.MigrateAsync();
        return services;
    }

    /// <summary>A write as the pipeline makes it: meta stamped, serialized, index rows extracted.</summary>
    public static ResourceWrite Write(Resource resource, int version = 1, bool deleted = false)
    {
        var now = DateTimeOffset.UtcNow;
        resource.Meta = new Meta { VersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture), LastUpdated = now };
        return deleted
            ? new ResourceWrite(resource.TypeName, resource.Id!, version, now, true, null, "DELETE", [])
            : new ResourceWrite(resource.TypeName, resource.Id!, version, now, false, FhirSerialization.JsonSerializer.SerializeToString(resource), version == 1 ? "POST" : "PUT", Indexer.Extract(resource));
    }

    public static Patient NewPatient(string id, string family) => new() { Id = id, Name = [new HumanName { Family = family }] };

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }
}
