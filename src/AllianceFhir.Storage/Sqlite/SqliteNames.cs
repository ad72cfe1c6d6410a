using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>Table and column names for hand-prepared SQLite statements, taken from the EF model so they follow the schema.</summary>
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
}
