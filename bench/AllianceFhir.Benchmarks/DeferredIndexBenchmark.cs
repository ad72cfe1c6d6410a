using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SQLitePCL;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// Issue 11's deferred index merge, as a storage-floor prototype over the product's real schema (the EF migrations'
/// tables and indexes, untouched): the group commit writes the version rows and no index rows; each request's index
/// rows stay in the writer's memory and are made durable either by one compact blob appended to an unindexed pending
/// table (<c>blob</c>) or not at all (<c>none</c>: after a crash they would be re-derived from the stored versions above
/// a merged-up-to watermark). Every N requests the writer merges what is pending into the index tables as one sorted
/// batch (per table in lookup-key order, positional raw statements) in a transaction of its own, and deletes the merged
/// blobs. The product's shape today (<c>sorted</c>: each group's rows written at its end, sorted by parameter key) runs
/// in the same process for comparison. Reports writer CPU and WAL bytes per request including the merges' share, and
/// each merge's latency: what a search arriving then would wait for "merged up to now".
/// </summary>
internal static class DeferredIndexBenchmark
{
    private const string Tenant = "default";

    /// <summary>What the checkpointer would otherwise do on another thread; none runs in the measured part.</summary>
    private const string Pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; " +
        "PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=4000;";

    private static readonly string[] Tables = ["TokenIndex", "StringIndex", "DateIndex", "ReferenceIndex", "UriIndex", "NumberIndex", "QuantityIndex"];

    /// <summary>The variants in the order given (repeats allowed, for A/B/A/B); empty: each once.</summary>
    public static void Run(string directory, string label, List<ResourceWrite[]> requests, int seed, int warmup, int groupSize, IReadOnlyList<string> order)
    {
        var variants = order.Count == 0 ? ["sorted", "blob256", "none256", "blob1024", "none1024", "blob4096", "none4096"] : order;
        var prepared = requests.AsParallel().AsOrdered().Select(Prepare).ToList();

        // What a request thread would do before queueing: the blob. Timed on one thread, reported beside the writer's CPU.
        var encodeStart = Stopwatch.GetTimestamp();
        foreach (var request in prepared)
        {
            request.Blob = Encode(request);
        }

        var encodeUs = Stopwatch.GetElapsedTime(encodeStart).TotalMicroseconds / prepared.Count;
        var blobBytes = prepared[seed..].Average(r => r.Blob!.Length);

        string? template = null;
        if (seed > 0)
        {
            template = Path.Combine(directory, $"deferred-seed-{label}.db");
            var seedStart = Stopwatch.GetTimestamp();
            var thread = new Thread(() => Seed(template, prepared[..seed])) { Name = "bench seed" };
            thread.Start();
            thread.Join();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: seeded {seed} requests in {Stopwatch.GetElapsedTime(seedStart).TotalSeconds:F0} s ({new FileInfo(template).Length / 1048576.0:F0} MiB)"));
        }

        var results = new List<DeferredResult>();
        foreach (var variant in variants)
        {
            var path = Path.Combine(directory, $"deferred-{variant}-{label}.db");
            if (template is not null)
            {
                File.Copy(template, path, overwrite: true);
            }

            DeferredResult? result = null;
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    result = Measure(label, path, variant, prepared, seed, warmup, groupSize, template is null);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            })
            { Name = "SQLite group commit" };
            thread.Start();
            thread.Join();
            if (failure is not null)
            {
                throw new InvalidOperationException($"variant {variant}", failure);
            }

            results.Add(result!);
            Console.WriteLine(result!.Line());
            foreach (var file in Directory.EnumerateFiles(directory, Path.GetFileName(path) + "*"))
            {
                File.Delete(file);
            }
        }

        if (template is not null)
        {
            foreach (var file in Directory.EnumerateFiles(directory, Path.GetFileName(template) + "*"))
            {
                File.Delete(file);
            }
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"Deferred index merge, {label}: {prepared[0].Writes.Length} resources and {prepared[0].Rows.Count} index rows per request, groups of {groupSize} requests, {seed} requests seeded, {warmup} warm-up, {requests.Count - seed - warmup} measured; blob {blobBytes:F0} bytes/request, encoded in {encodeUs:F1} us (request side)."));
        Console.WriteLine();
        Console.WriteLine("| variant | requests/s | writer CPU ms/request | of which merge | WAL KB/request | of which merge | merges | merge p50 ms | merge max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(r.Line());
        }

        Console.WriteLine();
    }

    private static DeferredResult Measure(string label, string path, string variant, List<PreparedRequest> requests, int seed, int warmup, int groupSize, bool migrate)
    {
        if (migrate)
        {
            using var services = BenchStorage.Services(path);
            using var scope = services.CreateScope();
            scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.Migrate();
        }

        SqliteConnection.ClearAllPools();
        using var connection = Open(path);
        using var writer = new Writer(connection, variant);

        writer.CommitAll(requests[seed..(seed + warmup)], groupSize);
        writer.Drain();
        Exec(connection, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint=0;");
        writer.ResetStats();
        var before = ThisThread();
        var started = Stopwatch.GetTimestamp();
        var measured = requests[(seed + warmup)..];
        writer.CommitAll(measured, groupSize);
        writer.Drain();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = ThisThread();
        var written = requests[seed..].Sum(r => (long)r.Rows.Count);
        writer.CheckMerged(written + requests[..seed].Sum(r => (long)r.Rows.Count), written);
        var latencies = writer.MergeLatencies.Order().ToList();
        return new DeferredResult(
            $"{label}: {Describe(variant)}",
            measured.Count / elapsed.TotalSeconds,
            ((after?.Cpu - before?.Cpu)?.TotalMilliseconds ?? double.NaN) / measured.Count,
            writer.MergeCpu.TotalMilliseconds / measured.Count,
            ((after?.WrittenBytes - before?.WrittenBytes) ?? 0) / 1024.0 / measured.Count,
            writer.MergeWal / 1024.0 / measured.Count,
            latencies.Count,
            latencies.Count == 0 ? null : latencies[(latencies.Count - 1) / 2],
            latencies.Count == 0 ? null : latencies[^1]);
    }

    /// <summary>
    /// The writer's own CPU and written bytes, as <see cref="WriterThreadStats"/> reads them, from /proc/thread-self: read
    /// around every merge, where scanning all of the process's threads raced with threads that ended meanwhile.
    /// </summary>
    private static (TimeSpan Cpu, long WrittenBytes)? ThisThread()
    {
        if (!File.Exists("/proc/thread-self/schedstat"))
        {
            return null;
        }

        var nanoseconds = long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], CultureInfo.InvariantCulture);
        var written = File.ReadLines("/proc/thread-self/io")
            .Where(l => l.StartsWith("wchar:", StringComparison.Ordinal))
            .Select(l => long.Parse(l["wchar:".Length..].Trim(), CultureInfo.InvariantCulture))
            .First();
        return (TimeSpan.FromTicks(nanoseconds / 100), written);
    }

    private static string Describe(string variant) => variant switch
    {
        "sorted" => "today's product shape (group rows sorted by parameter key, in the commit)",
        "sorted-fullkey" => "today's shape, group rows sorted by full lookup key, in the commit",
        _ when variant.StartsWith("blob", StringComparison.Ordinal) => $"deferred, one pending blob per request, merged every {variant[4..]} requests",
        _ when variant.StartsWith("none", StringComparison.Ordinal) => $"deferred, nothing pending on disk (re-derive), merged every {variant[4..]} requests",
        _ => throw new ArgumentException($"Unknown variant {variant}: sorted, sorted-fullkey, blobN, noneN"),
    };

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Exec(connection, Pragmas);
        Exec(connection, "CREATE TABLE IF NOT EXISTS PendingIndexRows (Id INTEGER PRIMARY KEY, Rows BLOB NOT NULL);" +
            "CREATE TABLE IF NOT EXISTS IndexMergedUpTo (Id INTEGER PRIMARY KEY CHECK (Id = 1), Surrogate INTEGER NOT NULL);" +
            "INSERT OR IGNORE INTO IndexMergedUpTo VALUES (1, 0);");
        return connection;
    }

    /// <summary>A larger database to start from: the first requests stored in large sorted batches, then checkpointed.</summary>
    private static void Seed(string path, List<PreparedRequest> requests)
    {
        using (var services = BenchStorage.Services(path))
        using (var scope = services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.Migrate();
        }

        SqliteConnection.ClearAllPools();
        using var connection = Open(path);
        using var writer = new Writer(connection, "none20000");
        writer.CommitAll(requests, groupSize: 500);
        writer.Drain();
        Exec(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static PreparedRequest Prepare(ResourceWrite[] writes)
    {
        var rows = new List<PRow>();
        for (var w = 0; w < writes.Length; w++)
        {
            foreach (var row in IndexShapeBenchmark.Rows(writes[w].Index))
            {
                // The store keeps no _id rows (the version row answers _id); see IndexRowMapper.
                if (row.Param == "_id")
                {
                    continue;
                }

                rows.Add(new PRow(Table(row.Kind), ParamKey(Tenant, writes[w].ResourceType, row.Param), writes[w].ResourceType, w, row));
            }
        }

        return new PreparedRequest(writes, rows);
    }

    private static int Table(char kind) => kind switch
    {
        'T' => 0,
        'S' => 1,
        'D' => 2,
        'R' => 3,
        'U' => 4,
        'N' => 5,
        _ => 6,
    };

    /// <summary>The product's <c>ParamKeys.Of</c> (internal to Storage): XxHash64 of tenant, type and parameter, NUL-separated.</summary>
    private static long ParamKey(string tenant, string type, string param) =>
        unchecked((long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{tenant}\0{type}\0{param}")));

    /// <summary>
    /// A request's index rows as one compact blob: per write its type, id and version (the surrogate is the database's,
    /// found again by those after a crash), then per row its kind, parameter, composite group and values.
    /// </summary>
    private static byte[] Encode(PreparedRequest request)
    {
        using var stream = new MemoryStream(4096);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write7BitEncodedInt(request.Writes.Length);
        for (var w = 0; w < request.Writes.Length; w++)
        {
            var write = request.Writes[w];
            writer.Write(write.ResourceType);
            writer.Write(write.Id);
            writer.Write7BitEncodedInt(write.VersionId);
            var rows = request.Rows.Where(r => r.Write == w).ToList();
            writer.Write7BitEncodedInt(rows.Count);
            foreach (var r in rows)
            {
                var row = r.Row;
                writer.Write((byte)row.Kind);
                writer.Write(row.Param);
                writer.Write7BitEncodedInt(row.Group is { } g ? g + 1 : 0);
                string?[] texts = [row.S1, row.S2, row.S3, row.S4, row.T1, row.T2];
                var present = 0;
                for (var i = 0; i < texts.Length; i++)
                {
                    present |= texts[i] is null ? 0 : 1 << i;
                }

                writer.Write((byte)present);
                foreach (var text in texts)
                {
                    if (text is not null)
                    {
                        writer.Write(text);
                    }
                }

                if (row.Kind is 'N' or 'Q')
                {
                    writer.Write(row.D1);
                    writer.Write(row.D2);
                }
            }
        }

        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>One index row ready for the writer: its table, parameter key, and which of the request's writes it belongs to.</summary>
    private sealed record PRow(int Table, long ParamKey, string Type, int Write, IndexShapeBenchmark.Row Row);

    private sealed class PreparedRequest(ResourceWrite[] writes, List<PRow> rows)
    {
        public ResourceWrite[] Writes { get; } = writes;

        public List<PRow> Rows { get; } = rows;

        public byte[]? Blob { get; set; }
    }

    private readonly record struct Pending(PRow Row, long Surrogate);

    /// <summary>The single writer of one variant.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insertVersion;
        private readonly sqlite3_stmt[] _inserts;
        private readonly sqlite3_stmt _insertBlob;
        private readonly sqlite3_stmt _deleteBlobs;
        private readonly sqlite3_stmt _watermark;
        private readonly List<Pending>[] _pending = [.. Tables.Select(_ => new List<Pending>())];
        private readonly bool _deferred;
        private readonly bool _blob;
        private readonly bool _fullKey;
        private readonly int _mergeEvery;
        private int _sinceMerge;
        private long _maxSurrogate;
        private long _rowsWritten;

        public Writer(SqliteConnection connection, string variant)
        {
            _connection = connection;
            _deferred = !variant.StartsWith("sorted", StringComparison.Ordinal);
            _blob = variant.StartsWith("blob", StringComparison.Ordinal);
            _fullKey = _deferred || variant == "sorted-fullkey";
            _mergeEvery = _deferred ? int.Parse(variant[4..], CultureInfo.InvariantCulture) : 0;
            _insertVersion = IndexShapeBenchmark.Command(
                connection,
                "INSERT INTO Resources (TenantId, ResourceType, ResourceId, VersionId, IsHistory, IsDeleted, LastUpdated, Method, Json) " +
                "VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7) RETURNING Surrogate",
                7);
            const string Common = "ResourceSurrogate, TenantId, ResourceType, ParamName, ParamKey, CompositeGroup";
            string[] sql =
            [
                $"INSERT INTO TokenIndex ({Common}, System, Code, Text) VALUES (?,?,?,?,?,?,?,?,?)",
                $"INSERT INTO StringIndex ({Common}, Normalized, Exact) VALUES (?,?,?,?,?,?,?,?)",
                $"INSERT INTO DateIndex ({Common}, Start, \"End\") VALUES (?,?,?,?,?,?,?,?)",
                $"INSERT INTO ReferenceIndex ({Common}, TargetType, TargetId, Url, Version) VALUES (?,?,?,?,?,?,?,?,?,?)",
                $"INSERT INTO UriIndex ({Common}, Uri, Version) VALUES (?,?,?,?,?,?,?,?)",
                $"INSERT INTO NumberIndex ({Common}, Value, Low, High) VALUES (?,?,?,?,?,?,?,?,?)",
                $"INSERT INTO QuantityIndex ({Common}, System, Code, Value, Low, High) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            ];
            _inserts = [.. sql.Select(Raw)];
            _insertBlob = Raw("INSERT INTO PendingIndexRows (Rows) VALUES (?)");
            _deleteBlobs = Raw("DELETE FROM PendingIndexRows");
            _watermark = Raw("UPDATE IndexMergedUpTo SET Surrogate = ? WHERE Id = 1");
        }

        public List<double> MergeLatencies { get; } = [];

        public TimeSpan MergeCpu { get; private set; }

        public long MergeWal { get; private set; }

        public void ResetStats()
        {
            MergeLatencies.Clear();
            MergeCpu = TimeSpan.Zero;
            MergeWal = 0;
        }

        public void CheckMerged(long stored, long written)
        {
            long count = 0;
            foreach (var table in Tables)
            {
                using var command = _connection.CreateCommand();
                command.CommandText = $"SELECT count(*) FROM {table}";
                count += (long)command.ExecuteScalar()!;
            }

            if (count != stored || _rowsWritten != written)
            {
                throw new InvalidOperationException($"{count} index rows stored ({stored} expected), {_rowsWritten} written ({written} expected)");
            }
        }

        public void CommitAll(List<PreparedRequest> requests, int groupSize)
        {
            var surrogates = new long[16];
            foreach (var group in requests.Chunk(groupSize))
            {
                Exec(_connection, "BEGIN IMMEDIATE");
                foreach (var request in group)
                {
                    Exec(_connection, "SAVEPOINT request");
                    if (surrogates.Length < request.Writes.Length)
                    {
                        surrogates = new long[request.Writes.Length];
                    }

                    for (var w = 0; w < request.Writes.Length; w++)
                    {
                        var write = request.Writes[w];
                        object?[] values = [Tenant, write.ResourceType, write.Id, write.VersionId, write.LastUpdated.UtcDateTime, write.Method, write.Json];
                        for (var i = 0; i < values.Length; i++)
                        {
                            _insertVersion.Parameters[i].Value = values[i] ?? DBNull.Value;
                        }

                        surrogates[w] = (long)_insertVersion.ExecuteScalar()!;
                        _maxSurrogate = Math.Max(_maxSurrogate, surrogates[w]);
                    }

                    if (_blob)
                    {
                        raw.sqlite3_bind_blob(_insertBlob, 1, request.Blob);
                        Step(_insertBlob);
                    }

                    Exec(_connection, "RELEASE request");
                    foreach (var row in request.Rows)
                    {
                        _pending[row.Table].Add(new Pending(row, surrogates[row.Write]));
                    }
                }

                if (!_deferred)
                {
                    WritePending();
                }

                Exec(_connection, "COMMIT");
                _sinceMerge += group.Length;
                if (_deferred && _sinceMerge >= _mergeEvery)
                {
                    Merge();
                }
            }
        }

        /// <summary>What "merged up to now" costs a search: everything pending, merged at once.</summary>
        public void Drain()
        {
            if (_deferred && _pending.Any(p => p.Count > 0))
            {
                Merge();
            }
        }

        private void Merge()
        {
            var started = Stopwatch.GetTimestamp();
            var before = ThisThread();
            Exec(_connection, "BEGIN IMMEDIATE");
            WritePending();
            if (_blob)
            {
                Step(_deleteBlobs);
            }
            else
            {
                raw.sqlite3_bind_int64(_watermark, 1, _maxSurrogate);
                Step(_watermark);
            }

            Exec(_connection, "COMMIT");
            var after = ThisThread();
            MergeLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (before is { } b && after is { } a)
            {
                MergeCpu += a.Cpu - b.Cpu;
                MergeWal += a.WrittenBytes - b.WrittenBytes;
            }

            _sinceMerge = 0;
        }

        /// <summary>The pending rows, table by table in key order: the parameter key (what the product sorts a group by) or the whole lookup key.</summary>
        private void WritePending()
        {
            for (var t = 0; t < _pending.Length; t++)
            {
                var rows = _pending[t];
                rows.Sort(_fullKey ? LookupKeyOrder(t) : ParamKeyOrder);
                foreach (var p in rows)
                {
                    Insert(p);
                }

                _rowsWritten += rows.Count;
                rows.Clear();
            }
        }

        private static int ParamKeyOrder(Pending a, Pending b)
        {
            var c = a.Row.ParamKey.CompareTo(b.Row.ParamKey);
            return c != 0 ? c : a.Surrogate.CompareTo(b.Surrogate);
        }

        /// <summary>The column order of each table's lookup index (IX_*_Lookup), as SQLite's BINARY collation orders it.</summary>
        private static Comparison<Pending> LookupKeyOrder(int table) => table switch
        {
            0 => (a, b) => Chain(a, b, string.CompareOrdinal(a.Row.Row.S2, b.Row.Row.S2), string.CompareOrdinal(a.Row.Row.S1, b.Row.Row.S1)),
            1 => (a, b) => Chain(a, b, string.CompareOrdinal(a.Row.Row.S1, b.Row.Row.S1), 0),
            2 => (a, b) => Chain(a, b, string.CompareOrdinal(a.Row.Row.T1, b.Row.Row.T1), string.CompareOrdinal(a.Row.Row.T2, b.Row.Row.T2)),
            3 => (a, b) => Chain(a, b, string.CompareOrdinal(a.Row.Row.S2, b.Row.Row.S2), string.CompareOrdinal(a.Row.Row.S1, b.Row.Row.S1)),
            4 => (a, b) => Chain(a, b, string.CompareOrdinal(a.Row.Row.S1, b.Row.Row.S1), string.CompareOrdinal(a.Row.Row.S2, b.Row.Row.S2)),
            5 => (a, b) => Chain(a, b, a.Row.Row.D1.CompareTo(b.Row.Row.D1), a.Row.Row.D2.CompareTo(b.Row.Row.D2)),
            _ => (a, b) => Chain(a, b, string.CompareOrdinal(a.Row.Row.S2, b.Row.Row.S2), a.Row.Row.D1.CompareTo(b.Row.Row.D1)),
        };

        private static int Chain(Pending a, Pending b, int first, int second)
        {
            var c = a.Row.ParamKey.CompareTo(b.Row.ParamKey);
            if (c != 0)
            {
                return c;
            }

            if (first != 0)
            {
                return first;
            }

            return second != 0 ? second : a.Surrogate.CompareTo(b.Surrogate);
        }

        private void Insert(Pending p)
        {
            var statement = _inserts[p.Row.Table];
            var r = p.Row.Row;
            raw.sqlite3_bind_int64(statement, 1, p.Surrogate);
            raw.sqlite3_bind_text(statement, 2, Tenant);
            raw.sqlite3_bind_text(statement, 3, p.Row.Type);
            raw.sqlite3_bind_text(statement, 4, r.Param);
            raw.sqlite3_bind_int64(statement, 5, p.Row.ParamKey);
            if (r.Group is { } group)
            {
                raw.sqlite3_bind_int64(statement, 6, group);
            }
            else
            {
                raw.sqlite3_bind_null(statement, 6);
            }

            switch (p.Row.Table)
            {
                case 0: Texts(statement, 7, r.S1, r.S2, r.S3); break;
                case 1: Texts(statement, 7, r.S1, r.S2); break;
                case 2: Texts(statement, 7, r.T1, r.T2); break;
                case 3: Texts(statement, 7, r.S1, r.S2, r.S3, r.S4); break;
                case 4: Texts(statement, 7, r.S1, r.S2); break;
                case 5:
                    Texts(statement, 7, r.S1);
                    raw.sqlite3_bind_double(statement, 8, r.D1);
                    raw.sqlite3_bind_double(statement, 9, r.D2);
                    break;
                default:
                    Texts(statement, 7, r.S1, r.S2, r.S3);
                    raw.sqlite3_bind_double(statement, 10, r.D1);
                    raw.sqlite3_bind_double(statement, 11, r.D2);
                    break;
            }

            Step(statement);
        }

        private static void Texts(sqlite3_stmt statement, int first, params string?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] is { } text)
                {
                    raw.sqlite3_bind_text(statement, first + i, text);
                }
                else
                {
                    raw.sqlite3_bind_null(statement, first + i);
                }
            }
        }

        private void Step(sqlite3_stmt statement)
        {
            try
            {
                var rc = raw.sqlite3_step(statement);
                if (rc != raw.SQLITE_DONE)
                {
                    SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
                }
            }
            finally
            {
                raw.sqlite3_reset(statement);
            }
        }

        private sqlite3_stmt Raw(string sql)
        {
            var rc = raw.sqlite3_prepare_v2(_connection.Handle, sql, out var statement);
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
            return statement;
        }

        public void Dispose()
        {
            _insertVersion.Dispose();
            foreach (var statement in _inserts.Append(_insertBlob).Append(_deleteBlobs).Append(_watermark))
            {
                statement.Dispose();
            }
        }
    }

    private sealed record DeferredResult(string Name, double Throughput, double WriterCpuMs, double MergeCpuMs, double WalKb, double MergeWalKb, int Merges, double? MergeP50Ms, double? MergeMaxMs)
    {
        public string Line() => string.Create(
            CultureInfo.InvariantCulture,
            $"| {Name} | {Throughput:F0} | {WriterCpuMs:F3} | {MergeCpuMs:F3} | {WalKb:F1} | {MergeWalKb:F1} | {Merges} | {MergeP50Ms?.ToString("F0", CultureInfo.InvariantCulture) ?? "-"} | {MergeMaxMs?.ToString("F0", CultureInfo.InvariantCulture) ?? "-"} |");
    }
}
