using AllianceFhir.Core.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// The group committer binds AuditEvent rows and their target rows itself (<see cref="Sqlite.SqliteAuditStatement"/>);
/// what it stores must be what EF stores, byte for byte and storage class by storage class: an auditor's searches compare
/// the times as text and look targets up by their key.
/// </summary>
public sealed class AuditRowBindingTests : StorageTest
{
    [Fact]
    public async Task The_group_committer_stores_audit_and_target_rows_exactly_as_EF_does()
    {
        await using var scope = Services.CreateAsyncScope();
        var group = scope.ServiceProvider.GetRequiredService<Sqlite.SqliteGroupCommitter>();
        var ef = scope.ServiceProvider.GetRequiredService<EfVersionCommitter>();

        // Through a request's savepoint, through the background writer's append, and through EF.
        await group.CommitAsync(Tenant, [.. Events("g").Select(AuditEventFactory.ToWrite)], CancellationToken.None);
        await group.AppendAsync(Tenant, [.. Events("a").Select(AuditEventFactory.ToWrite)], CancellationToken.None);
        await ef.CommitAsync(Tenant, [.. Events("e").Select(AuditEventFactory.ToWrite)], CancellationToken.None);

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();

        // The committer stages its target rows and merges them on shutdown (and every few thousand): compare merged rows.
        group.Dispose();

        var efEvents = await RowsAsync(connection, "AuditEvents", "e");
        Assert.Equal(Events("e").Count(), efEvents.Count);
        Assert.Equal(efEvents, await RowsAsync(connection, "AuditEvents", "g"));
        Assert.Equal(efEvents, await RowsAsync(connection, "AuditEvents", "a"));

        var efTargets = await RowsAsync(connection, "AuditEventTargets", "e");
        // full: Patient/p1, Observation/o1, Patient/p2; many: 20 distinct Observations and Patient/p1; none and unparsed: nothing.
        Assert.Equal(3 + 21, efTargets.Count);
        Assert.Equal(efTargets, await RowsAsync(connection, "AuditEventTargets", "g"));
        Assert.Equal(efTargets, await RowsAsync(connection, "AuditEventTargets", "a"));
        await using var staged = connection.CreateCommand();
        staged.CommandText = "SELECT count(*) FROM \"AuditEventTargetsStaged\"";
        Assert.Equal(0L, (long)(await staged.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("AuditEvents")]
    [InlineData("Resources")]
    public async Task The_surrogate_the_committer_reads_with_last_insert_rowid_is_the_rowid(string table)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();

        // sqlite3_last_insert_rowid names the row only if the surrogate is the rowid itself: the table's only key
        // column, declared INTEGER, with no separate index behind the key.
        command.CommandText = $"SELECT name, type FROM pragma_table_info('{table}') WHERE pk > 0";
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(("Surrogate", "INTEGER"), (reader.GetString(0), reader.GetString(1)));
            Assert.False(await reader.ReadAsync());
        }

        command.CommandText = $"SELECT count(*) FROM pragma_index_list('{table}') WHERE origin = 'pk'";
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    /// <summary>Every column but the surrogates, as storage class, quoted value and bytes; target rows named by their event.</summary>
    private static async Task<List<string>> RowsAsync(SqliteConnection connection, string table, string prefix)
    {
        static string Show(string column) => $"typeof({column}) || ':' || quote({column}) || ':' || hex({column})";
        string[] eventColumns =
            ["TenantId", "EventId", "Recorded", "LastUpdated", "Subtype", "Action", "Outcome", "UserId", "ClientId", "Address", "Entities", "Query", "Patients"];
        string[] targetColumns = ["AuditSurrogate", "TenantId", "TargetType", "TargetId"];
        await using var command = connection.CreateCommand();
        command.CommandText = table == "AuditEvents"
            ? $"SELECT {string.Join(" || ' ' || ", eventColumns.Select(c => Show($"a.\"{c}\"")))} FROM \"AuditEvents\" a WHERE substr(a.\"EventId\", 1, 1) = $prefix"
            : $"SELECT a.\"EventId\" || ' ' || {string.Join(" || ' ' || ", targetColumns.Skip(1).Select(c => Show($"t.\"{c}\"")))} || ' ' || typeof(t.\"AuditSurrogate\") " +
              "FROM \"AuditEventTargets\" t JOIN \"AuditEvents\" a ON a.\"Surrogate\" = t.\"AuditSurrogate\" WHERE substr(a.\"EventId\", 1, 1) = $prefix";
        command.Parameters.AddWithValue("$prefix", prefix);
        // The event ids differ only in their first letter, in text and in hex; nothing else may differ.
        return await StoredRows.SortedAsync(command, row => row
            .Replace($"'{prefix}-", "'x-", StringComparison.Ordinal)
            .Replace(Convert.ToHexString([(byte)prefix[0], (byte)'-']), "782D", StringComparison.Ordinal)
            .Replace($"{prefix}-", "x-", StringComparison.Ordinal));
    }

    private static IEnumerable<AuditEventRow> Events(string prefix)
    {
        // Seven fraction digits, trailing zeros, none at all: the three shapes of the driver's DateTime text.
        var recorded = new DateTimeOffset(2026, 11, 29, 8, 30, 5, TimeSpan.FromHours(1)).AddTicks(1_234_567);
        var stored = new DateTimeOffset(2026, 11, 29, 7, 30, 6, 250, TimeSpan.Zero);
        yield return new AuditEventRow(
            $"{prefix}-full", recorded, stored, "search-type", "E", "0", "practitioner-ü", "client-1", "10.0.0.7",
            ["Patient/p1/_history/2", "Observation/o1", "Patient/p1"], "Observation?subject&_count=5", ["Patient/p1", "Patient/p2"]);
        yield return new AuditEventRow(
            $"{prefix}-none", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            "read", "R", "4", null, null, null, [], null, []);
        yield return new AuditEventRow(
            $"{prefix}-many", stored.AddTicks(10), stored.AddTicks(1), "transaction", "E", "8", "user", null, "::1\uD800",
            [.. Enumerable.Range(0, 20).Select(i => $"Observation/o{i % 20}/_history/{i}"), .. Enumerable.Range(0, 5).Select(i => $"Observation/o{i}")],
            null, ["Patient/p1", "Patient/p1"]);
        yield return new AuditEventRow(
            $"{prefix}-unparsed", stored, stored, "operation", "E", "0", "", "", "", ["urn:uuid:5", "Binary"], "", []);
    }
}
