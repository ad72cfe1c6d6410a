using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// A throwaway prototype of the compact audit store the read path would need (docs/performance.md, read path): each read's
/// audit as one narrow row of an append-only table (tenant, time, interaction, outcome, client, user, address, entity,
/// patient, query), with lookup indexes only on what an auditor searches by, appended by one writer thread in batches
/// of 1,000 as the audit writer does. Measures the writer thread's CPU and WAL bytes per event, to set beside the
/// AuditEvent resource with its 16 index rows (<c>commit-audit</c>).
/// </summary>
internal static class AuditLogPrototype
{
    private const int Batch = 1000;
    private const int Warmup = 2000;

    public static List<CommitResult> Run(string directory, int events)
    {
        var results = new List<CommitResult>();
        foreach (var indexes in new[] { 4, 0 })
        {
            var path = Path.Combine(directory, $"audit-log-{indexes}.db");
            CommitResult? result = null;
            var thread = new Thread(() => result = Measure(path, events, indexes)) { Name = "SQLite group commit" };
            thread.Start();
            thread.Join();
            results.Add(result!);
        }

        return results;
    }

    private static CommitResult Measure(string path, int events, int indexes)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;");
        Execute(connection, """
            CREATE TABLE AuditLog (
              Surrogate INTEGER PRIMARY KEY, Tenant TEXT NOT NULL, Recorded INTEGER NOT NULL, Subtype TEXT NOT NULL,
              Action TEXT NOT NULL, Outcome TEXT NOT NULL, Client TEXT, Subject TEXT, Address TEXT, Entity TEXT,
              Patient TEXT, Query TEXT)
            """);
        string[] lookups =
        [
            "CREATE INDEX IX_AuditLog_Recorded ON AuditLog (Tenant, Recorded)",
            "CREATE INDEX IX_AuditLog_Patient ON AuditLog (Tenant, Patient, Recorded)",
            "CREATE INDEX IX_AuditLog_Entity ON AuditLog (Tenant, Entity)",
            "CREATE INDEX IX_AuditLog_Subject ON AuditLog (Tenant, Subject, Recorded)",
        ];
        foreach (var sql in lookups.Take(indexes))
        {
            Execute(connection, sql);
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO AuditLog (Tenant, Recorded, Subtype, Action, Outcome, Client, Subject, Address, Entity, Patient, Query) "
            + "VALUES ($tenant, $recorded, $subtype, $action, $outcome, $client, $subject, $address, $entity, $patient, $query)";
        var parameters = new[] { "$tenant", "$recorded", "$subtype", "$action", "$outcome", "$client", "$subject", "$address", "$entity", "$patient", "$query" }
            .Select(name => insert.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        insert.Prepare();

        void Append(int from, int count)
        {
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            for (var n = from; n < from + count; n++)
            {
                var patient = $"Patient/{Guid.NewGuid():D}";
                parameters[0].Value = "default";
                parameters[1].Value = DateTime.UtcNow.Ticks;
                parameters[2].Value = "read";
                parameters[3].Value = "R";
                parameters[4].Value = "0";
                parameters[5].Value = "bench-client";
                parameters[6].Value = "bench-service";
                parameters[7].Value = "127.0.0.1";
                parameters[8].Value = patient;
                parameters[9].Value = patient;
                parameters[10].Value = DBNull.Value;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        for (var done = 0; done < Warmup; done += Batch)
        {
            Append(done, Batch);
        }

        var before = WriterThreadStats.Read();
        var started = Stopwatch.GetTimestamp();
        for (var done = 0; done < events; done += Batch)
        {
            Append(done, Math.Min(Batch, events - done));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = WriterThreadStats.Read();
        return new CommitResult(
            string.Create(CultureInfo.InvariantCulture, $"read audits as narrow rows ({indexes} lookup indexes), batches of {Batch}"),
            events,
            1,
            indexes,
            events / elapsed.TotalSeconds,
            (after?.Cpu - before?.Cpu)?.TotalMilliseconds / events,
            (after?.WrittenBytes - before?.WrittenBytes) / 1024.0 / events);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
