using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Sqlite;
using AllianceFhir.Storage.SqlServer;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Storage;

public static class StorageServiceCollectionExtensions
{
    public const string ConnectionStringName = "Fhir";
    public const string DefaultSqliteConnectionString = "Data Source=data/alliancefhir.db";

    /// <summary>
    /// Registers the EF store. The provider and connection string are read from <see cref="StorageOptions"/> when the
    /// first context is built, not at registration, so configuration added late (tests, hosting) is honoured.
    /// </summary>
    public static IServiceCollection AddFhirStorage(this IServiceCollection services)
    {
        services.AddDbContextPool<SqliteFhirDbContext>((sp, o) =>
        {
            var storage = Options(sp);
            var connectionString = storage.ConnectionString ?? DefaultSqliteConnectionString;
            EnsureDirectoryFor(connectionString);
            o.UseSqlite(connectionString).AddInterceptors(new SqlitePragmas(storage)).ConfigureWarnings(QuietProbe);
        });
        services.AddDbContextPool<SqlServerFhirDbContext>((sp, o) =>
            o.UseSqlServer(Options(sp).ConnectionString, sql => sql.EnableRetryOnFailure()).ConfigureWarnings(QuietProbe));
        services.AddScoped<FhirDbContext>(sp => Options(sp).Provider == StorageProvider.SqlServer
            ? sp.GetRequiredService<SqlServerFhirDbContext>()
            : sp.GetRequiredService<SqliteFhirDbContext>());
        // SQLite has one writer: a single group committer owns it, and reads by id use prepared statements on a pool of
        // open connections. SQL Server writers run side by side, each request in its own EF transaction. (The SQLite
        // singletons are passed in explicitly: resolved through a scoped factory, the scope would dispose them.)
        services.AddSingleton<SqliteGroupCommitter>();
        services.AddSingleton<SqliteVersionReader>();
        services.AddScoped<EfVersionCommitter>();
        services.AddScoped<EfVersionReader>();
        // No IResourceStore is registered here: a store is always for one tenant, so whoever needs one names it, through
        // the factory (the host binds each request's store to its caller's tenant).
        // Made for every request: on SQLite, whose reader and committer are singletons, from parts resolved once per process
        // (four lookups per request were ~0.5 % of a read by id's CPU; docs/performance.md).
        var createFactory = ActivatorUtilities.CreateFactory<EfResourceStoreFactory>([typeof(IVersionReader), typeof(IVersionCommitter)]);
        services.AddSingleton(sp => new ProviderStoreParts(Options(sp).Provider == StorageProvider.SqlServer ? null : new SqliteStoreParts(
            sp.GetRequiredService<SearchParameterRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<SqliteVersionReader>(),
            sp.GetRequiredService<SqliteGroupCommitter>())));
        services.AddScoped<IResourceStoreFactory>(sp => sp.GetRequiredService<ProviderStoreParts>().Sqlite is { } sqlite
            ? new EfResourceStoreFactory(sp, sqlite.Registry, sqlite.Clock, sqlite.Reader, sqlite.Committer)
            : createFactory(sp, [sp.GetRequiredService<EfVersionReader>(), sp.GetRequiredService<EfVersionCommitter>()]));
        services.AddScoped<Core.Import.IImportJobStore>(sp => new EfImportJobStore(
            sp.GetRequiredService<FhirDbContext>(),
            Options(sp).Provider == StorageProvider.SqlServer ? sp.GetRequiredService<EfVersionCommitter>() : sp.GetRequiredService<SqliteGroupCommitter>(),
            sp.GetRequiredService<TimeProvider>()));
        // Subscriptions: the outbox the dispatcher works, and the stored Subscriptions the matcher's cache compiles.
        services.AddScoped<Core.Subscriptions.ISubscriptionOutbox, EfSubscriptionOutbox>();
        services.AddSingleton<Core.Subscriptions.ISubscriptionSource, EfSubscriptionSource>();
        services.AddScoped<Core.Export.IExportJobStore, EfExportJobStore>();
        services.AddScoped<Core.Export.IExportSource, Export.EfExportSource>();
        services.AddScoped<Core.FormLinks.IFormLinkStore>(sp => new EfFormLinkStore(sp.GetRequiredService<FhirDbContext>()));
        return services;
    }

    /// <summary>
    /// Every page is ordered to the surrogate; the one row limit without an order is the search driver probe, which
    /// counts at most a bound of index entries (ordering them would sort every match). Its warning is noise at Warning
    /// level; the API tests fail any other query EF reports this way.
    /// </summary>
    private static void QuietProbe(WarningsConfigurationBuilder warnings) =>
        warnings.Log((CoreEventId.RowLimitingOperationWithoutOrderByWarning, LogLevel.Debug));

    private static StorageOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<StorageOptions>>().Value;

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

    /// <summary>What a request's store factory is made of on SQLite (null on SQL Server, whose reader and committer are scoped).</summary>
    private sealed record ProviderStoreParts(SqliteStoreParts? Sqlite);

    private sealed record SqliteStoreParts(SearchParameterRegistry Registry, TimeProvider Clock, SqliteVersionReader Reader, SqliteGroupCommitter Committer);
}
