using AllianceFhir.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// Storage:Synchronous reaches every SQLite connection: the group committer's hand-opened writer (which does the
/// writing) and EF's. synchronous is a per-connection setting, so one connection left at NORMAL would be a silent hole.
/// </summary>
public sealed class SqliteSynchronousTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"alliancefhir-sync-{Guid.NewGuid():N}.db");

    [Theory]
    [InlineData(SqliteSynchronous.Normal, 1)]
    [InlineData(SqliteSynchronous.Full, 2)]
    public async Task Every_connection_gets_the_configured_synchronous_level(SqliteSynchronous setting, long expected)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(StorageServices.Registry);
        services.Configure<StorageOptions>(o =>
        {
            o.ConnectionString = $"Data Source={_path}";
            o.Synchronous = setting;
        });
        services.AddFhirStorage();
        await using var provider = services.BuildServiceProvider();

        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(expected, (long)(await command.ExecuteScalarAsync())!);
        }

        using var writer = SqliteNames.Open(provider.GetRequiredService<IOptions<StorageOptions>>().Value);
        using var query = writer.CreateCommand();
        query.CommandText = "PRAGMA synchronous";
        Assert.Equal(expected, (long)query.ExecuteScalar()!);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }
}
