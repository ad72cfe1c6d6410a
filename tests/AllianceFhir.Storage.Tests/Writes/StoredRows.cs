using Microsoft.Data.Sqlite;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// Reading stored rows as text for the binding tests, which compare what the group committer and EF store, column by
/// column with SQLite's own <c>typeof</c>/<c>quote</c>/<c>hex</c> of each value.
/// </summary>
internal static class StoredRows
{
    /// <summary>The table's columns, in their order.</summary>
    public static async Task<List<string>> ColumnsAsync(SqliteConnection connection, string table)
    {
        await using var info = connection.CreateCommand();
        info.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        return await ReadAsync(info, name => name);
    }

    /// <summary>The single text column of each row the command returns, made comparable, sorted ordinally.</summary>
    public static async Task<List<string>> SortedAsync(SqliteCommand command, Func<string, string> comparable)
    {
        var rows = await ReadAsync(command, comparable);
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static async Task<List<string>> ReadAsync(SqliteCommand command, Func<string, string> comparable)
    {
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(comparable(reader.GetString(0)));
        }

        return rows;
    }
}
