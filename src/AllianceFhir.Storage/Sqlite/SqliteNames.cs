using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// What the hand-prepared SQLite statements share: table and column names taken from the EF model (so they follow the
/// schema) and how their connections are opened.
/// </summary>
internal static class SqliteNames
{
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    public static string Table(IEntityType entityType) => Quote(entityType.GetTableName()!);

    public static string Column(IEntityType entityType, string propertyName) =>
        Quote(entityType.GetProperty(propertyName).GetColumnName());

    /// <summary>The EF model of the SQLite context (built once per process by EF and shared by every context).</summary>
    public static IModel ResolveModel(IServiceScopeFactory scopes)
    {
        using var scope = scopes.CreateScope();
        return scope.ServiceProvider.GetRequiredService<SqliteFhirDbContext>().Model;
    }

    /// <summary>
    /// Opens a connection of its own (not from EF) for the SQLite hot paths, with the same pragmas EF's connections get,
    /// plus <paramref name="extraPragmas"/>.
    /// </summary>
    public static SqliteConnection Open(StorageOptions options, string extraPragmas = "")
    {
        var connection = new SqliteConnection(options.ConnectionString ?? StorageServiceCollectionExtensions.DefaultSqliteConnectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = SqlitePragmas.CommandsFor(options) + extraPragmas;
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
