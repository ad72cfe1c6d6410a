using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>Table and column names for hand-prepared SQLite statements, taken from the EF model so they follow the schema.</summary>
internal static class SqliteNames
{
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    public static string Table(IEntityType entityType) => Quote(entityType.GetTableName()!);

    public static string Column(IEntityType entityType, string propertyName) =>
        Quote(entityType.GetProperty(propertyName).GetColumnName());
}
