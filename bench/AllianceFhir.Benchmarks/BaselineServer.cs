using Microsoft.Data.Sqlite;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// The bare baseline: the same bytes written to and read from SQLite with the same durability settings as the
/// product (WAL, synchronous=NORMAL, one transaction per write), behind a minimal endpoint, with no FHIR work at all.
/// It lives only in the benchmark; the product never ships it.
/// </summary>
internal static class BaselineServer
{
    public static async Task RunAsync(string[] args)
    {
        var db = args[Array.IndexOf(args, "--db") + 1];
        var connectionString = $"Data Source={db};Pooling=True";
        await using (var setup = new SqliteConnection(connectionString))
        {
            await setup.OpenAsync();
            await using var command = setup.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS Resources (Surrogate INTEGER PRIMARY KEY, ResourceType TEXT NOT NULL, ResourceId TEXT NOT NULL, VersionId INTEGER NOT NULL, Json TEXT NOT NULL); CREATE UNIQUE INDEX IF NOT EXISTS UX ON Resources (ResourceType, ResourceId, VersionId);";
            await command.ExecuteNonQueryAsync();
        }

        var builder = WebApplication.CreateSlimBuilder(args.Where(a => a != "--db" && a != db).ToArray());
        builder.Logging.ClearProviders();
        var app = builder.Build();

        app.MapPost("/baseline/{type}", async (string type, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var json = await reader.ReadToEndAsync();
            var id = Guid.NewGuid().ToString("D");
            await using var connection = await OpenAsync(connectionString);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO Resources (ResourceType, ResourceId, VersionId, Json) VALUES ($t, $i, 1, $j)";
            command.Parameters.AddWithValue("$t", type);
            command.Parameters.AddWithValue("$i", id);
            command.Parameters.AddWithValue("$j", json);
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            return Results.Text(json, "application/json", statusCode: 201);
        });

        app.MapGet("/baseline/{type}/{id}", async (string type, string id) =>
        {
            await using var connection = await OpenAsync(connectionString);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT Json FROM Resources WHERE ResourceType = $t AND ResourceId = $i AND VersionId = 1";
            command.Parameters.AddWithValue("$t", type);
            command.Parameters.AddWithValue("$i", id);
            var json = (string?)await command.ExecuteScalarAsync();
            return json is null ? Results.NotFound() : Results.Text(json, "application/json");
        });

        app.MapGet("/baseline/ids", async () =>
        {
            await using var connection = await OpenAsync(connectionString);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT ResourceId FROM Resources LIMIT 1000";
            var ids = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }

            return Results.Ok(ids);
        });

        await app.RunAsync();
    }

    private static async Task<SqliteConnection> OpenAsync(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }
}
