using System.Diagnostics;
using System.Globalization;
using AllianceFhir.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SQLitePCL;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// The floor of a read's audit target row (issue 10; docs/performance.md, "Reads by id, fifth pass"): the product's
/// AuditEvents and AuditEventTargets tables (created by the migrations), written by one thread on raw prepared statements
/// bound by position, as <c>SqliteAuditStatement</c> writes them, in appends of a batch of read events each. Variants:
/// <list type="bullet">
/// <item><c>today</c>: the event row and its target row, whose (tenant, type, id, event) index entry lands on the leaf of
/// the patient read;</item>
/// <item><c>none</c>: the event row alone (what no target row at all would cost: the floor of every variant);</item>
/// <item><c>staging</c>: the event row and a target row appended to an unindexed staging table, merged into the indexed
/// table in key order every <c>--merge</c> events (INSERT … SELECT … ORDER BY, DELETE), the merge's CPU counted;</item>
/// <item><c>derived</c>: the event row alone; every <c>--merge</c> events the target rows are derived from the events'
/// own reference columns past a watermark, sorted and inserted, the watermark moved (no per-read target write at all);</item>
/// <item><c>batch4000</c>: today's rows in appends of 4,000 events instead of 1,000 (a longer linger);</item>
/// </list>
/// A passive checkpoint follows every append on the same thread, as the product's checkpointer does every 100 ms; its CPU
/// is its own column, since copying WAL pages back is part of what a scattered index costs. Patients are drawn from a set of
/// <c>--patients</c> (the HTTP read scenario reads 1,000; a clinic's trail spreads over many more).
/// </summary>
internal static class AuditTargetFloor
{
    private const string Tenant = "default";

    public static async Task<int> RunAsync(string[] args)
    {
        var events = Option(args, "--events", 100_000);
        var patients = Option(args, "--patients", 1000);
        var merge = Option(args, "--merge", 10_000);
        var warmup = Option(args, "--warmup", 20_000);
        var variants = OptionList(args, "--variants", ["today", "none", "staging", "derived", "batch4000"]);
        var directory = Directory.CreateTempSubdirectory("alliancefhir-audit-targets-").FullName;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{events} read AuditEvents after {warmup} (warm-up, same table), patients drawn from {patients}, merge every {merge}"));
        Console.WriteLine("| variant | events/s | writer CPU µs/event (appends) | merge CPU µs/event | checkpoint CPU µs/event | total CPU µs/event | WAL KB/event |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        try
        {
            foreach (var variant in variants)
            {
                var path = Path.Combine(directory, $"{variant}.db");
                await using (var services = BenchStorage.Services(path))
                {
                    await using var scope = services.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.MigrateAsync();
                }

                SqliteConnection.ClearAllPools();
                Figures? figures = null;
                var thread = new Thread(() => figures = Measure(path, variant, events, warmup, patients, merge)) { Name = "SQLite group commit" };
                thread.Start();
                thread.Join();
                var f = figures!;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {variant} | {events / f.Seconds:F0} | {f.AppendCpu / events:F2} | {f.MergeCpu / events:F2} | {f.CheckpointCpu / events:F2} | {(f.AppendCpu + f.MergeCpu + f.CheckpointCpu) / events:F2} | {f.WalBytes / 1024.0 / events:F2} |"));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        return 0;
    }

    private sealed record Figures(double Seconds, double AppendCpu, double MergeCpu, double CheckpointCpu, long WalBytes);

    private static Figures Measure(string path, string variant, int events, int warmup, int patients, int mergeEvery)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var db = connection.Handle!;
        Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=0; PRAGMA temp_store=MEMORY;");
        Exec(db, "CREATE TABLE IF NOT EXISTS AuditTargetStaging (AuditSurrogate INTEGER NOT NULL, TenantId TEXT NOT NULL, TargetType TEXT NOT NULL, TargetId TEXT NOT NULL)");
        Exec(db, "CREATE TABLE IF NOT EXISTS AuditTargetWatermark (Id INTEGER PRIMARY KEY, Merged INTEGER NOT NULL); INSERT OR IGNORE INTO AuditTargetWatermark VALUES (1, 0)");
        var insertEvent = Prepare(db,
            "INSERT INTO AuditEvents (TenantId, EventId, Recorded, LastUpdated, Subtype, Action, Outcome, UserId, ClientId, Address, Entities, Query, Patients) " +
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
        var insertTarget = Prepare(db, "INSERT OR IGNORE INTO AuditEventTargets (AuditSurrogate, TenantId, TargetType, TargetId) VALUES (?1, ?2, ?3, ?4)");
        var insertStaged = Prepare(db, "INSERT INTO AuditTargetStaging (AuditSurrogate, TenantId, TargetType, TargetId) VALUES (?1, ?2, ?3, ?4)");
        var mergeStaged = Prepare(db, "INSERT OR IGNORE INTO AuditEventTargets (AuditSurrogate, TenantId, TargetType, TargetId) SELECT AuditSurrogate, TenantId, TargetType, TargetId FROM AuditTargetStaging ORDER BY TenantId, TargetType, TargetId, AuditSurrogate");
        var clearStaged = Prepare(db, "DELETE FROM AuditTargetStaging");
        var unmerged = Prepare(db, "SELECT Surrogate, TenantId, Entities, Patients FROM AuditEvents WHERE Surrogate > (SELECT Merged FROM AuditTargetWatermark WHERE Id = 1) ORDER BY Surrogate");
        var moveWatermark = Prepare(db, "UPDATE AuditTargetWatermark SET Merged = ?1 WHERE Id = 1");
        var checkpoint = Prepare(db, "PRAGMA wal_checkpoint(PASSIVE)");

        var batch = variant == "batch4000" ? 4000 : 1000;
        var random = new Random(42);
        var ids = Enumerable.Range(0, patients).Select(_ => Guid.NewGuid().ToString("D")).ToArray();
        var sinceMerge = 0;
        double appendCpu = 0, mergeCpu = 0, checkpointCpu = 0;
        long walBytes = 0;
        var started = 0L;

        void Append(int count)
        {
            Exec(db, "BEGIN");
            for (var i = 0; i < count; i++)
            {
                var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                var patient = "Patient/" + ids[random.Next(ids.Length)];
                Bind(insertEvent, 1, Tenant);
                Bind(insertEvent, 2, Guid.CreateVersion7().ToString("D"));
                Bind(insertEvent, 3, now);
                Bind(insertEvent, 4, now);
                Bind(insertEvent, 5, "read");
                Bind(insertEvent, 6, "R");
                Bind(insertEvent, 7, "0");
                Bind(insertEvent, 8, "bench-service");
                Bind(insertEvent, 9, "bench-client");
                Bind(insertEvent, 10, "127.0.0.1");
                Bind(insertEvent, 11, patient);
                raw.sqlite3_bind_null(insertEvent, 12);
                Bind(insertEvent, 13, patient);
                Step(db, insertEvent);
                var surrogate = raw.sqlite3_last_insert_rowid(db);
                var target = variant switch
                {
                    "today" or "batch4000" => insertTarget,
                    "staging" => insertStaged,
                    _ => null,
                };
                if (target is not null)
                {
                    raw.sqlite3_bind_int64(target, 1, surrogate);
                    Bind(target, 2, Tenant);
                    Bind(target, 3, "Patient");
                    Bind(target, 4, patient["Patient/".Length..]);
                    Step(db, target);
                }
            }

            Exec(db, "COMMIT");
        }

        void Merge()
        {
            Exec(db, "BEGIN");
            if (variant == "staging")
            {
                Step(db, mergeStaged);
                Step(db, clearStaged);
            }
            else
            {
                var rows = new List<(string Tenant, string Type, string Id, long Surrogate)>();
                long last = 0;
                while (raw.sqlite3_step(unmerged) == raw.SQLITE_ROW)
                {
                    last = raw.sqlite3_column_int64(unmerged, 0);
                    var tenant = raw.sqlite3_column_text(unmerged, 1).utf8_to_string();
                    foreach (var column in new[] { 2, 3 })
                    {
                        if (raw.sqlite3_column_type(unmerged, column) == raw.SQLITE_NULL)
                        {
                            continue;
                        }

                        foreach (var reference in raw.sqlite3_column_text(unmerged, column).utf8_to_string().Split('\n'))
                        {
                            var slash = reference.IndexOf('/', StringComparison.Ordinal);
                            rows.Add((tenant, reference[..slash], reference[(slash + 1)..], last));
                        }
                    }
                }

                raw.sqlite3_reset(unmerged);
                rows.Sort((a, b) =>
                {
                    var c = string.CompareOrdinal(a.Tenant, b.Tenant);
                    c = c != 0 ? c : string.CompareOrdinal(a.Type, b.Type);
                    c = c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
                    return c != 0 ? c : a.Surrogate.CompareTo(b.Surrogate);
                });
                foreach (var row in rows)
                {
                    raw.sqlite3_bind_int64(insertTarget, 1, row.Surrogate);
                    Bind(insertTarget, 2, row.Tenant);
                    Bind(insertTarget, 3, row.Type);
                    Bind(insertTarget, 4, row.Id);
                    Step(db, insertTarget);
                }

                raw.sqlite3_bind_int64(moveWatermark, 1, last);
                Step(db, moveWatermark);
            }

            Exec(db, "COMMIT");
        }

        void Run(int total, bool measured)
        {
            for (var done = 0; done < total; done += batch)
            {
                var count = Math.Min(batch, total - done);
                var cpu = ThreadCpuMs();
                var wal = WrittenBytes();
                Append(count);
                sinceMerge += count;
                var afterAppend = ThreadCpuMs();
                var merged = afterAppend;
                if (variant is "staging" or "derived" && sinceMerge >= mergeEvery)
                {
                    Merge();
                    sinceMerge = 0;
                    merged = ThreadCpuMs();
                }

                Step(db, checkpoint);
                var afterCheckpoint = ThreadCpuMs();
                if (measured)
                {
                    appendCpu += afterAppend - cpu;
                    mergeCpu += merged - afterAppend;
                    checkpointCpu += afterCheckpoint - merged;
                    walBytes += WrittenBytes() - wal;
                }
            }
        }

        Run(warmup, measured: false);
        started = Stopwatch.GetTimestamp();
        Run(events, measured: true);
        if (variant is "staging" or "derived" && sinceMerge > 0)
        {
            // What is still staged is merged as a shutdown would: its cost belongs to these events.
            var cpu = ThreadCpuMs();
            var wal = WrittenBytes();
            Merge();
            mergeCpu += ThreadCpuMs() - cpu;
            walBytes += WrittenBytes() - wal;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var statement in new[] { insertEvent, insertTarget, insertStaged, mergeStaged, clearStaged, unmerged, moveWatermark, checkpoint })
        {
            statement.Dispose();
        }

        // µs: the figures print per event.
        return new Figures(seconds, appendCpu * 1000, mergeCpu * 1000, checkpointCpu * 1000, walBytes);
    }

    private static double ThreadCpuMs() =>
        long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1e6;

    /// <summary>Bytes this thread wrote: the WAL frames of its commits and the database pages of its checkpoints.</summary>
    private static long WrittenBytes() =>
        File.ReadLines("/proc/thread-self/io").Where(l => l.StartsWith("wchar:", StringComparison.Ordinal))
            .Select(l => long.Parse(l["wchar:".Length..].Trim(), CultureInfo.InvariantCulture)).First();

    private static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        return statement;
    }

    private static void Bind(sqlite3_stmt statement, int position, string value) => raw.sqlite3_bind_text(statement, position, value);

    private static void Step(sqlite3 db, sqlite3_stmt statement)
    {
        int rc;
        while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
        {
        }

        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(db, rc);
        }
    }

    private static void Exec(sqlite3 db, string sql) => Check(db, raw.sqlite3_exec(db, sql));

    private static void Check(sqlite3 db, int rc)
    {
        if (rc is not raw.SQLITE_OK and not raw.SQLITE_DONE and not raw.SQLITE_ROW)
        {
            throw new InvalidOperationException($"SQLite {rc}: {raw.sqlite3_errmsg(db).utf8_to_string()}");
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string[] OptionList(string[] args, string name, string[] fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : fallback;
    }
}
