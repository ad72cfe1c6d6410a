using System.Data.Common;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Sqlite;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AllianceFhir.Storage.Tests.Search;

/// <summary>
/// A migrated SQLite file with the real store over it, plus a record of every query the store runs, so tests can
/// look at the SQL the search engine sends.
/// </summary>
public sealed class SqliteStore : IAsyncDisposable
{
    private static readonly SearchParameterRegistry Registry = new();
    private static readonly SearchIndexer Indexer = new(Registry);

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"alliancefhir-plan-{Guid.NewGuid():N}.db");
    private readonly SqliteFhirDbContext _db;

    private SqliteStore()
    {
        var options = new DbContextOptionsBuilder<SqliteFhirDbContext>()
            .UseSqlite($"Data Source={_path}")
            .AddInterceptors(Recorder)
            .Options;
        _db = new SqliteFhirDbContext(options);
        Store = new EfResourceStore(_db, Registry, TimeProvider.System, new EfVersionReader(_db), new EfVersionCommitter(_db), "default");
        Parser = new SearchQueryParser(Registry);
    }

    public EfResourceStore Store { get; }

    public SearchQueryParser Parser { get; }

    public CommandRecorder Recorder { get; } = new();

    public static async Task<SqliteStore> CreateAsync()
    {
        var store = new SqliteStore();
        await store._db.Database.MigrateAsync();
        return store;
    }

    public async Task<string> AddAsync(Resource resource) => (await AddManyAsync([resource]))[0];

    /// <summary>Stores new resources in one commit, as the write pipeline would (id, meta, index rows).</summary>
    public async Task<List<string>> AddManyAsync(IEnumerable<Resource> resources)
    {
        var writes = new List<ResourceWrite>();
        foreach (var resource in resources)
        {
            resource.Id = Guid.NewGuid().ToString("N");
            resource.Meta = new Meta { VersionId = "1", LastUpdated = DateTimeOffset.UtcNow };
            writes.Add(new ResourceWrite(resource.TypeName, resource.Id, 1, resource.Meta.LastUpdated!.Value, false,
                FhirSerialization.JsonSerializer.SerializeToString(resource), "POST",
                UnindexedReferences.Complete(Indexer.Extract(resource), LocalReferences.Of(resource))));
        }

        await Store.CommitAsync(writes, CancellationToken.None);
        return [.. writes.Select(w => w.Id)];
    }

    public Task<SearchResult> SearchAsync(string type, string query)
    {
        var parameters = query.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], Uri.UnescapeDataString(p[1])));
        return Store.SearchAsync(SearchRequest.ForType(Parser.Parse(type, parameters)), CancellationToken.None);
    }

    /// <summary>
    /// EXPLAIN QUERY PLAN of a recorded command, run with the same parameter values. The driver probe counts a LIMITed
    /// index range; SQLite shows reading that bounded subquery as "SCAN alias", which is left out.
    /// </summary>
    public async Task<List<string>> ExplainAsync(RecordedCommand command)
    {
        var connection = _db.Database.GetDbConnection();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + command.Text;
        foreach (var (name, value) in command.Parameters)
        {
            explain.Parameters.Add(new SqliteParameter(name, value ?? DBNull.Value));
        }

        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        var details = new List<string>();
        var probe = command.Text.Contains(Storage.Search.EfSearchEngine.ProbeTag, StringComparison.Ordinal);
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var line = reader.GetString(3);
            if (!(probe && System.Text.RegularExpressions.Regex.IsMatch(line, @"^SCAN \w+$")))
            {
                details.Add(line);
            }
        }

        return details;
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }
}

public sealed record RecordedCommand(string Text, IReadOnlyList<(string Name, object? Value)> Parameters);

public sealed class CommandRecorder : DbCommandInterceptor
{
    private readonly List<RecordedCommand> _commands = [];

    public IReadOnlyList<RecordedCommand> Commands => _commands;

    public void Clear() => _commands.Clear();

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command,
        CommandEventData eventData,
        InterceptionResult<DbDataReader> result,
        CancellationToken cancellationToken = default)
    {
        if (command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            _commands.Add(new RecordedCommand(
                command.CommandText,
                [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
        }

        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }
}
