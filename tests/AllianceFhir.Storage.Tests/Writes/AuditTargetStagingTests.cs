using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// The group committer stages AuditEvent target rows and merges them into the indexed table later
/// (<see cref="Sqlite.SqliteAuditStatement"/>): an auditor's <c>entity</c> and <c>patient</c> searches must find every
/// event at once and exactly once, whether its targets are staged, merged, or some of each.
/// </summary>
public sealed class AuditTargetStagingTests : StorageTest
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Entity_and_patient_searches_find_each_event_once_whether_its_targets_are_staged_or_merged()
    {
        var options = Services.GetRequiredService<IOptions<StorageOptions>>();
        var scopes = Services.GetRequiredService<IServiceScopeFactory>();
        using (var first = new Sqlite.SqliteGroupCommitter(options, scopes))
        {
            await first.AppendAsync(Tenant, [Event("e1", ["Observation/o1"], ["Patient/p1"]), Event("e2", [], ["Patient/p2"])], CancellationToken.None);

            // Stored within the append; the targets are still staged, and searches see them there.
            Assert.Equal((0L, 3L), await TargetRowsAsync());
            Assert.Equal(["e1"], await SearchAsync("patient=Patient/p1"));
            Assert.Equal(["e1"], await SearchAsync("entity=Observation/o1"));
            Assert.Equal(["e1"], await SearchAsync("entity=o1"));
            Assert.Equal(["e2"], await SearchAsync("patient=p2"));
        }

        // Shutting the committer down merges every staged row.
        Assert.Equal((3L, 0L), await TargetRowsAsync());
        Assert.Equal(["e1"], await SearchAsync("patient=Patient/p1"));
        Assert.Equal(["e1"], await SearchAsync("entity=o1"));

        using var second = new Sqlite.SqliteGroupCommitter(options, scopes);

        // p1 now has an event in each table; p3's event names it more often than the committer makes distinct in memory.
        await second.AppendAsync(Tenant, [Event("e3", [], ["Patient/p1"]), Event("e4", [.. Enumerable.Repeat("Patient/p3", 20)], ["Patient/p3"])], CancellationToken.None);
        Assert.Equal(3L, (await TargetRowsAsync()).Indexed);
        Assert.Equal(["e1", "e3"], await SearchAsync("patient=Patient/p1"));
        Assert.Equal(2, (await SearchResultAsync("patient=Patient/p1&_total=accurate")).Total);
        Assert.Equal(["e4"], await SearchAsync("entity=Patient/p3"));
        Assert.Equal(1, (await SearchResultAsync("patient=p3&_total=accurate")).Total);
        Assert.Empty(await SearchAsync("entity=Observation/p3"));
        Assert.Empty(await SearchAsync("patient=Observation/o1"));
    }

    [Fact]
    public async Task The_committer_merges_once_enough_target_rows_are_staged()
    {
        var options = Services.GetRequiredService<IOptions<StorageOptions>>();
        using var committer = new Sqlite.SqliteGroupCommitter(options, Services.GetRequiredService<IServiceScopeFactory>()) { MergeStagedAfter = 4 };
        await committer.AppendAsync(Tenant, [Event("e1", [], ["Patient/p1"]), Event("e2", [], ["Patient/p2"])], CancellationToken.None);
        await committer.AppendAsync(Tenant, [Event("e3", [], ["Patient/p3"]), Event("e4", ["Observation/o4"], ["Patient/p4"])], CancellationToken.None);

        // The merge is the writer's next turn after the commit that crossed the threshold; the commit does not wait for it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await TargetRowsAsync() != (5L, 0L) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal((5L, 0L), await TargetRowsAsync());
        Assert.Equal(["e4"], await SearchAsync("entity=o4"));
        Assert.Equal(["e3"], await SearchAsync("patient=p3"));
    }

    private static ResourceWrite Event(string id, string[] entities, string[] patients) =>
        AuditEventFactory.ToWrite(new AuditEventRow(id, At, At, "read", "R", "0", "user", "client", "127.0.0.1", entities, null, patients));

    /// <summary>Target rows in the indexed table and in the staging table.</summary>
    private async Task<(long Indexed, long Staged)> TargetRowsAsync()
    {
        var path = new SqliteConnectionStringBuilder(Services.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString).DataSource;
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM \"AuditEventTargets\"), (SELECT count(*) FROM \"AuditEventTargetsStaged\")";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<List<string>> SearchAsync(string query) =>
        [.. (await SearchResultAsync(query)).Matches.Select(m => m.Id)];

    private async Task<SearchResult> SearchResultAsync(string query)
    {
        await using var scope = Services.CreateAsyncScope();
        var parameters = query.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1]));
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(Tenant);
        return await store.SearchAsync(SearchRequest.ForType(new SearchQueryParser(Registry).Parse("AuditEvent", parameters)), CancellationToken.None);
    }
}
