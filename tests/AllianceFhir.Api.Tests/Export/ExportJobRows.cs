using Microsoft.Data.Sqlite;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>What the database holds of export jobs: checks that a refused kick-off recorded nothing.</summary>
public static class ExportJobRows
{
    public static async Task<long> CountAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM ExportJobs";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<string?> StatusAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Status FROM ExportJobs";
        return (string?)await command.ExecuteScalarAsync();
    }
}
