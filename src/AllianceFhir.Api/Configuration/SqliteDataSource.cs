using Microsoft.Data.Sqlite;

namespace AllianceFhir.Api.Configuration;

/// <summary>
/// A relative SQLite file is taken relative to the content root (the project folder under <c>dotnet run</c>, the app
/// folder in the container), not the process's working directory, which SQLite would otherwise use.
/// </summary>
public static class SqliteDataSource
{
    public static string UnderContentRoot(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        if (string.IsNullOrEmpty(source)
            || source == ":memory:"
            || builder.Mode == SqliteOpenMode.Memory
            || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("|DataDirectory|", StringComparison.OrdinalIgnoreCase)
            || Path.IsPathRooted(source))
        {
            return connectionString;
        }

        builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, source));
        return builder.ToString();
    }
}
