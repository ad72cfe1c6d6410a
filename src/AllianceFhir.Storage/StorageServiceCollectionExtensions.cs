using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Sqlite;
using AllianceFhir.Storage.SqlServer;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Storage;

public static class StorageServiceCollectionExtensions
{
    public const string ConnectionStringName = "Fhir";
    public const string DefaultSqliteConnectionString = "Data Source=data/alliancefhir.db";

    /// <summary>
    /// Registers the EF store for the configured provider. The host binds <paramref name="options"/> from
    /// <c>Storage</c> and passes <c>ConnectionStrings:Fhir</c>; <c>IOptions&lt;StorageOptions&gt;</c> must be registered too.
    /// </summary>
    public static IServiceCollection AddFhirStorage(this IServiceCollection services, StorageOptions options, string? connectionString)
    {
        if (options.Provider == StorageProvider.SqlServer)
        {
            services.AddDbContextPool<FhirDbContext, SqlServerFhirDbContext>(
                o => o.UseSqlServer(connectionString, sql => sql.EnableRetryOnFailure()));
        }
        else
        {
            var sqlite = connectionString ?? DefaultSqliteConnectionString;
            EnsureDirectoryFor(sqlite);
            services.AddDbContextPool<FhirDbContext, SqliteFhirDbContext>(
                o => o.UseSqlite(sqlite).AddInterceptors(new SqlitePragmas()));
        }

        services.AddScoped<IResourceStore, EfResourceStore>();
        return services;
    }

    /// <summary>SQLite creates the file but not its folder; a fresh clone has no data/ folder yet.</summary>
    private static void EnsureDirectoryFor(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
