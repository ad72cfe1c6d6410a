using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// Throwaway prototypes of the search-index row shapes issue 11 asks to compare, in raw SQL on SQLite: the same
/// requests (the create and submit floors' resources with their index values) committed by one writer thread in
/// groups of a fixed size, each request in a savepoint, as the group committer does. Each shape gets a fresh database
/// whose resource tables come from the product's migrations; only the index tables differ. Reports writer CPU and
/// the bytes the writer appended to the WAL (no checkpoint runs during the measured part).
/// </summary>
internal static class IndexShapeBenchmark
{
    private const string Tenant = "default";

    /// <param name="order">Shape keys in the order to run them (repeats allowed, for A/B/A/B); empty: every shape once.</param>
    public static List<CommitResult> Run(string directory, string label, List<ResourceWrite[]> requests, int warmup, int groupSize, IReadOnlyList<string> order)
    {
        var results = new List<CommitResult>();
        var run = order.Count == 0 ? Shapes() : order.Select(key => Shapes().Single(s => s.Key == key));
        foreach (var shape in run)
        {

            var path = Path.Combine(directory, $"shape-{shape.Key}-{label.GetHashCode(StringComparison.Ordinal):x}.db");
            CommitResult? result = null;
            var thread = new Thread(() => result = Measure($"{label}: {shape.Name}", path, shape, requests, warmup, groupSize)) { Name = "SQLite group commit" };
            thread.Start();
            thread.Join();
            results.Add(result!);
            foreach (var file in Directory.EnumerateFiles(directory, Path.GetFileName(path) + "*"))
            {
                File.Delete(file);
            }
        }

        return results;
    }

    private static IEnumerable<Shape> Shapes() =>
    [
        new TodayShape(sorted: false),
        new TodayShape(sorted: true),
        new NarrowShape(sorted: false),
        new NarrowShape(sorted: true),
        new HashShape(),
        new ClusteredShape(),
        new PendingShape(mergeEvery: 64),
        new PendingShape(mergeEvery: 512),
        new PendingClusteredShape(mergeEvery: 512),
    ];

    private static CommitResult Measure(string name, string path, Shape shape, List<ResourceWrite[]> requests, int warmup, int groupSize)
    {
        using (var services = BenchStorage.Services(path))
        using (var scope = services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.Migrate();
        }

        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Exec(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=4000;");
        Exec(connection, "DROP TABLE TokenIndex; DROP TABLE StringIndex; DROP TABLE DateIndex; DROP TABLE ReferenceIndex; DROP TABLE UriIndex; DROP TABLE NumberIndex; DROP TABLE QuantityIndex;");
        Exec(connection, shape.Ddl);
        using var writer = new Writer(connection, shape);

        writer.CommitAll(requests[..warmup], groupSize);
        writer.Drain();
        Exec(connection, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint=0;");
        var before = WriterThreadStats.Read();
        var started = Stopwatch.GetTimestamp();
        var measured = requests[warmup..];
        writer.CommitAll(measured, groupSize);
        writer.Drain();
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = WriterThreadStats.Read();
        return new CommitResult(
            name,
            measured.Count,
            measured[0].Length,
            measured[0].Sum(w => Rows(w.Index).Count()),
            measured.Count / elapsed.TotalSeconds,
            (after?.Cpu - before?.Cpu)?.TotalMilliseconds / measured.Count,
            (after?.WrittenBytes - before?.WrittenBytes) / 1024.0 / measured.Count);
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>One index value flattened, composites expanded into their component rows as the product does.</summary>
    internal sealed record Row(char Kind, string Param, int? Group, string? S1, string? S2, string? S3, string? S4, double D1, double D2, string? T1, string? T2);

    internal static IEnumerable<Row> Rows(IReadOnlyList<SearchIndexValue> values)
    {
        var groups = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is CompositeIndexValue composite)
            {
                var group = groups.GetValueOrDefault(composite.ParamName);
                groups[composite.ParamName] = group + 1;
                for (var i = 0; i < composite.Components.Count; i++)
                {
                    yield return ToRow(composite.Components[i], $"{composite.ParamName}${i}", group);
                }
            }
            else
            {
                yield return ToRow(value, value.ParamName, null);
            }
        }
    }

    private static string Date(DateTime d) => d.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    private static Row ToRow(SearchIndexValue value, string param, int? group) => value switch
    {
        TokenIndexValue t => new Row('T', param, group, t.System, t.Code, t.Text, null, 0, 0, null, null),
        StringIndexValue s => new Row('S', param, group, s.Normalized.Length > 256 ? s.Normalized[..256] : s.Normalized, s.Exact, null, null, 0, 0, null, null),
        DateIndexValue d => new Row('D', param, group, null, null, null, null, 0, 0, Date(d.Start), Date(d.End)),
        ReferenceIndexValue r => new Row('R', param, group, r.TargetType, r.TargetId, r.Url, r.Version, 0, 0, null, null),
        UriIndexValue u => new Row('U', param, group, u.Uri, u.Version, null, null, 0, 0, null, null),
        NumberIndexValue n => new Row('N', param, group, n.Value.ToString(CultureInfo.InvariantCulture), null, null, null, (double)n.Low, (double)n.High, null, null),
        QuantityIndexValue q => new Row('Q', param, group, q.System, q.Code, q.Value.ToString(CultureInfo.InvariantCulture), null, (double)q.Low, (double)q.High, null, null),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    /// <summary>The single writer: resource rows as the product writes them, index rows through the shape.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly Shape _shape;
        private readonly SqliteCommand _insertVersion;
        private readonly List<(Row Row, long Surrogate, string Type)> _groupRows = [];

        public Writer(SqliteConnection connection, Shape shape)
        {
            _connection = connection;
            _shape = shape;
            shape.Prepare(connection);
            _insertVersion = Command(
                connection,
                "INSERT INTO Resources (TenantId, ResourceType, ResourceId, VersionId, IsHistory, IsDeleted, LastUpdated, Method, Json) " +
                "VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7) RETURNING Surrogate",
                7);
        }

        public void CommitAll(List<ResourceWrite[]> requests, int groupSize)
        {
            foreach (var group in requests.Chunk(groupSize))
            {
                Exec(_connection, "BEGIN IMMEDIATE");
                foreach (var request in group)
                {
                    Exec(_connection, "SAVEPOINT request");
                    foreach (var write in request)
                    {
                        var values = new object?[] { Tenant, write.ResourceType, write.Id, write.VersionId, write.LastUpdated.UtcDateTime, write.Method, write.Json };
                        for (var i = 0; i < values.Length; i++)
                        {
                            _insertVersion.Parameters[i].Value = values[i] ?? DBNull.Value;
                        }

                        var surrogate = (long)_insertVersion.ExecuteScalar()!;
                        foreach (var row in Rows(write.Index))
                        {
                            if (_shape.SortsGroup)
                            {
                                _groupRows.Add((row, surrogate, write.ResourceType));
                            }
                            else
                            {
                                _shape.Insert(row, write.ResourceType, surrogate);
                            }
                        }
                    }

                    Exec(_connection, "RELEASE request");
                }

                if (_shape.SortsGroup)
                {
                    foreach (var (row, surrogate, type) in _groupRows.OrderBy(r => r.Row.Kind).ThenBy(r => r.Type, StringComparer.Ordinal)
                                 .ThenBy(r => r.Row.Param, StringComparer.Ordinal).ThenBy(r => r.Row.S2 ?? r.Row.S1 ?? r.Row.T1, StringComparer.Ordinal))
                    {
                        _shape.Insert(row, type, surrogate);
                    }

                    _groupRows.Clear();
                }

                Exec(_connection, "COMMIT");
                _shape.AfterCommit(_connection, group.Length);
            }
        }

        public void Drain() => _shape.Drain(_connection);

        public void Dispose()
        {
            _insertVersion.Dispose();
            _shape.Dispose();
        }
    }

    internal static SqliteCommand Command(SqliteConnection connection, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 1; i <= parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = $"${i}" });
        }

        command.Prepare();
        return command;
    }

    internal static void Step(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        command.ExecuteNonQuery();
    }

    internal static long Hash(params string?[] parts)
    {
        var hash = new XxHash64();
        Span<byte> separator = [0];
        foreach (var part in parts)
        {
            hash.Append(Encoding.UTF8.GetBytes(part ?? string.Empty));
            hash.Append(separator);
        }

        return (long)hash.GetCurrentHashAsUInt64();
    }

    internal abstract class Shape : IDisposable
    {
        private readonly Dictionary<char, SqliteCommand> _inserts = [];

        public abstract string Key { get; }

        public abstract string Name { get; }

        public abstract string Ddl { get; }

        public virtual bool SortsGroup => false;

        protected abstract IEnumerable<(char Kind, string Sql, int Parameters)> InsertStatements { get; }

        public void Prepare(SqliteConnection connection)
        {
            foreach (var (kind, sql, count) in InsertStatements)
            {
                _inserts[kind] = Command(connection, sql, count);
            }

            PrepareMore(connection);
        }

        protected virtual void PrepareMore(SqliteConnection connection)
        {
        }

        public void Insert(Row row, string type, long surrogate) => Step(_inserts[row.Kind], Values(row, type, surrogate));

        protected abstract object?[] Values(Row row, string type, long surrogate);

        public virtual void AfterCommit(SqliteConnection connection, int requests)
        {
        }

        public virtual void Drain(SqliteConnection connection)
        {
        }

        public virtual void Dispose()
        {
            foreach (var command in _inserts.Values)
            {
                command.Dispose();
            }
        }
    }

    /// <summary>Today's tables: text (tenant, type, parameter) leading every lookup index.</summary>
    internal class TodayShape(bool sorted, string suffix = "") : Shape
    {
        public override string Key => sorted ? "sorted" : "today";

        public override string Name => sorted ? "today's shape, group rows sorted by key" : "today's shape";

        public override bool SortsGroup => sorted;

        protected string Suffix => suffix;

        public override string Ddl => TodayDdl(suffix, withRowKey: true);

        internal static string TodayDdl(string s, bool withRowKey) => $"""
            CREATE TABLE TokenIndex{s} (Id INTEGER PRIMARY KEY AUTOINCREMENT, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, TenantId TEXT NOT NULL, ResourceType TEXT NOT NULL, ParamName TEXT NOT NULL, CompositeGroup INTEGER, System TEXT, Code TEXT, Text TEXT);
            CREATE INDEX IX_TokenIndex{s}_Resource ON TokenIndex{s} (ResourceSurrogate, ParamName);
            CREATE INDEX IX_TokenIndex{s}_Lookup ON TokenIndex{s} (TenantId, ResourceType, ParamName, Code, System, ResourceSurrogate);
            CREATE TABLE StringIndex{s} (Id INTEGER PRIMARY KEY AUTOINCREMENT, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, TenantId TEXT NOT NULL, ResourceType TEXT NOT NULL, ParamName TEXT NOT NULL, CompositeGroup INTEGER, Normalized TEXT NOT NULL, Exact TEXT NOT NULL);
            CREATE INDEX IX_StringIndex{s}_Resource ON StringIndex{s} (ResourceSurrogate, ParamName);
            CREATE INDEX IX_StringIndex{s}_Lookup ON StringIndex{s} (TenantId, ResourceType, ParamName, Normalized, ResourceSurrogate);
            CREATE TABLE DateIndex{s} (Id INTEGER PRIMARY KEY AUTOINCREMENT, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, TenantId TEXT NOT NULL, ResourceType TEXT NOT NULL, ParamName TEXT NOT NULL, CompositeGroup INTEGER, Start TEXT NOT NULL, "End" TEXT NOT NULL);
            CREATE INDEX IX_DateIndex{s}_Resource ON DateIndex{s} (ResourceSurrogate, ParamName);
            CREATE INDEX IX_DateIndex{s}_Lookup ON DateIndex{s} (TenantId, ResourceType, ParamName, Start, "End", ResourceSurrogate);
            CREATE INDEX IX_DateIndex{s}_End ON DateIndex{s} (TenantId, ResourceType, ParamName, "End", Start, ResourceSurrogate);
            CREATE TABLE ReferenceIndex{s} (Id INTEGER PRIMARY KEY AUTOINCREMENT, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, TenantId TEXT NOT NULL, ResourceType TEXT NOT NULL, ParamName TEXT NOT NULL, CompositeGroup INTEGER, TargetType TEXT, TargetId TEXT, Url TEXT, Version TEXT);
            CREATE INDEX IX_ReferenceIndex{s}_Resource ON ReferenceIndex{s} (ResourceSurrogate, ParamName);
            CREATE INDEX IX_ReferenceIndex{s}_Lookup ON ReferenceIndex{s} (TenantId, ResourceType, ParamName, TargetId, TargetType, ResourceSurrogate);
            CREATE INDEX IX_ReferenceIndex{s}_Url ON ReferenceIndex{s} (TenantId, ResourceType, ParamName, Url, Version, ResourceSurrogate);
            CREATE TABLE UriIndex{s} (Id INTEGER PRIMARY KEY AUTOINCREMENT, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, TenantId TEXT NOT NULL, ResourceType TEXT NOT NULL, ParamName TEXT NOT NULL, CompositeGroup INTEGER, Uri TEXT NOT NULL, Version TEXT);
            CREATE INDEX IX_UriIndex{s}_Resource ON UriIndex{s} (ResourceSurrogate, ParamName);
            CREATE INDEX IX_UriIndex{s}_Lookup ON UriIndex{s} (TenantId, ResourceType, ParamName, Uri, Version, ResourceSurrogate);
            CREATE TABLE NumberIndex{s} (Id INTEGER PRIMARY KEY AUTOINCREMENT, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, TenantId TEXT NOT NULL, ResourceType TEXT NOT NULL, ParamName TEXT NOT NULL, CompositeGroup INTEGER, Value TEXT NOT NULL, Low REAL NOT NULL, High REAL NOT NULL);
            CREATE INDEX IX_NumberIndex{s}_Resource ON NumberIndex{s} (ResourceSurrogate, ParamName);
            CREATE INDEX IX_NumberIndex{s}_Lookup ON NumberIndex{s} (TenantId, ResourceType, ParamName, Low, High, ResourceSurrogate);
            CREATE TABLE QuantityIndex{s} (Id INTEGER PRIMARY KEY AUTOINCREMENT, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, TenantId TEXT NOT NULL, ResourceType TEXT NOT NULL, ParamName TEXT NOT NULL, CompositeGroup INTEGER, System TEXT, Code TEXT, Value TEXT NOT NULL, Low REAL NOT NULL, High REAL NOT NULL);
            CREATE INDEX IX_QuantityIndex{s}_Resource ON QuantityIndex{s} (ResourceSurrogate, ParamName);
            CREATE INDEX IX_QuantityIndex{s}_Lookup ON QuantityIndex{s} (TenantId, ResourceType, ParamName, Code, Low, High, ResourceSurrogate);
            """;

        protected override IEnumerable<(char Kind, string Sql, int Parameters)> InsertStatements =>
        [
            ('T', $"INSERT INTO TokenIndex{suffix} (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, System, Code, Text) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", 8),
            ('S', $"INSERT INTO StringIndex{suffix} (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Normalized, Exact) VALUES ($1,$2,$3,$4,$5,$6,$7)", 7),
            ('D', $"INSERT INTO DateIndex{suffix} (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Start, \"End\") VALUES ($1,$2,$3,$4,$5,$6,$7)", 7),
            ('R', $"INSERT INTO ReferenceIndex{suffix} (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, TargetType, TargetId, Url, Version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", 9),
            ('U', $"INSERT INTO UriIndex{suffix} (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Uri, Version) VALUES ($1,$2,$3,$4,$5,$6,$7)", 7),
            ('N', $"INSERT INTO NumberIndex{suffix} (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Value, Low, High) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", 8),
            ('Q', $"INSERT INTO QuantityIndex{suffix} (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, System, Code, Value, Low, High) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)", 10),
        ];

        protected override object?[] Values(Row r, string type, long surrogate) => r.Kind switch
        {
            'T' => [surrogate, Tenant, type, r.Param, r.Group, r.S1, r.S2, r.S3],
            'S' => [surrogate, Tenant, type, r.Param, r.Group, r.S1, r.S2],
            'D' => [surrogate, Tenant, type, r.Param, r.Group, r.T1, r.T2],
            'R' => [surrogate, Tenant, type, r.Param, r.Group, r.S1, r.S2, r.S3, r.S4],
            'U' => [surrogate, Tenant, type, r.Param, r.Group, r.S1, r.S2],
            'N' => [surrogate, Tenant, type, r.Param, r.Group, r.S1, r.D1, r.D2],
            _ => [surrogate, Tenant, type, r.Param, r.Group, r.S1, r.S2, r.S3, r.D1, r.D2],
        };
    }

    /// <summary>
    /// Today's tables with one 64-bit hash of (tenant, type, parameter) in place of the three text columns at the head
    /// of every lookup index; the text columns stay in the row.
    /// </summary>
    internal sealed class NarrowShape(bool sorted) : Shape
    {
        private readonly TodayShape _today = new(sorted: false);

        public override string Key => sorted ? "narrow-sorted" : "narrow";

        public override string Name => sorted ? "parameter hash leading the lookup indexes, group rows sorted" : "parameter hash leading the lookup indexes";

        public override bool SortsGroup => sorted;

        public override string Ddl
        {
            get
            {
                var ddl = TodayShape.TodayDdl(string.Empty, withRowKey: true)
                    .Replace("CompositeGroup INTEGER,", "CompositeGroup INTEGER, ParamKey INTEGER NOT NULL,", StringComparison.Ordinal)
                    .Replace("(TenantId, ResourceType, ParamName,", "(ParamKey,", StringComparison.Ordinal);
                return ddl;
            }
        }

        protected override IEnumerable<(char Kind, string Sql, int Parameters)> InsertStatements =>
            TodayInserts().Select(i => (i.Kind, i.Sql.Replace(") VALUES (", ", ParamKey) VALUES (", StringComparison.Ordinal)[..^1] + $",${i.Parameters + 1})", i.Parameters + 1));

        private IEnumerable<(char Kind, string Sql, int Parameters)> TodayInserts() => typeof(TodayShape)
            .GetProperty(nameof(InsertStatements), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(_today) as IEnumerable<(char, string, int)> ?? [];

        protected override object?[] Values(Row row, string type, long surrogate)
        {
            var values = (object?[])typeof(TodayShape).GetMethod(nameof(Values), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                .Invoke(_today, [row, type, surrogate])!;
            return [.. values, Hash(Tenant, type, row.Param)];
        }
    }

    /// <summary>
    /// HAPI JPA's shape: a 64-bit hash of (tenant, type, parameter) and, for exact-match kinds, of (…, value) as the
    /// lookup key; the stored value is checked on a match. Ordered kinds keep (parameter hash, value).
    /// </summary>
    internal sealed class HashShape : Shape
    {
        public override string Key => "hash";

        public override string Name => "HAPI: 64-bit hashes as lookup keys";

        public override string Ddl => """
            CREATE TABLE TokenIndex (Id INTEGER PRIMARY KEY, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, ParamHash INTEGER NOT NULL, ValueHash INTEGER NOT NULL, CompositeGroup INTEGER, System TEXT, Code TEXT, Text TEXT);
            CREATE INDEX IX_TokenIndex_Resource ON TokenIndex (ResourceSurrogate, ParamHash);
            CREATE INDEX IX_TokenIndex_Value ON TokenIndex (ValueHash, ResourceSurrogate);
            CREATE TABLE StringIndex (Id INTEGER PRIMARY KEY, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, ParamHash INTEGER NOT NULL, CompositeGroup INTEGER, Normalized TEXT NOT NULL, Exact TEXT NOT NULL);
            CREATE INDEX IX_StringIndex_Resource ON StringIndex (ResourceSurrogate, ParamHash);
            CREATE INDEX IX_StringIndex_Lookup ON StringIndex (ParamHash, Normalized, ResourceSurrogate);
            CREATE TABLE DateIndex (Id INTEGER PRIMARY KEY, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, ParamHash INTEGER NOT NULL, CompositeGroup INTEGER, Start TEXT NOT NULL, "End" TEXT NOT NULL);
            CREATE INDEX IX_DateIndex_Resource ON DateIndex (ResourceSurrogate, ParamHash);
            CREATE INDEX IX_DateIndex_Lookup ON DateIndex (ParamHash, Start, "End", ResourceSurrogate);
            CREATE INDEX IX_DateIndex_End ON DateIndex (ParamHash, "End", Start, ResourceSurrogate);
            CREATE TABLE ReferenceIndex (Id INTEGER PRIMARY KEY, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, ParamHash INTEGER NOT NULL, ValueHash INTEGER NOT NULL, CompositeGroup INTEGER, TargetType TEXT, TargetId TEXT, Url TEXT, Version TEXT);
            CREATE INDEX IX_ReferenceIndex_Resource ON ReferenceIndex (ResourceSurrogate, ParamHash);
            CREATE INDEX IX_ReferenceIndex_Value ON ReferenceIndex (ValueHash, ResourceSurrogate);
            CREATE TABLE UriIndex (Id INTEGER PRIMARY KEY, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, ParamHash INTEGER NOT NULL, ValueHash INTEGER NOT NULL, CompositeGroup INTEGER, Uri TEXT NOT NULL, Version TEXT);
            CREATE INDEX IX_UriIndex_Resource ON UriIndex (ResourceSurrogate, ParamHash);
            CREATE INDEX IX_UriIndex_Value ON UriIndex (ValueHash, ResourceSurrogate);
            CREATE TABLE NumberIndex (Id INTEGER PRIMARY KEY, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, ParamHash INTEGER NOT NULL, CompositeGroup INTEGER, Value TEXT NOT NULL, Low REAL NOT NULL, High REAL NOT NULL);
            CREATE INDEX IX_NumberIndex_Resource ON NumberIndex (ResourceSurrogate, ParamHash);
            CREATE INDEX IX_NumberIndex_Lookup ON NumberIndex (ParamHash, Low, High, ResourceSurrogate);
            CREATE TABLE QuantityIndex (Id INTEGER PRIMARY KEY, ResourceSurrogate INTEGER NOT NULL REFERENCES Resources(Surrogate) ON DELETE CASCADE, ParamHash INTEGER NOT NULL, ValueHash INTEGER NOT NULL, CompositeGroup INTEGER, System TEXT, Code TEXT, Value TEXT NOT NULL, Low REAL NOT NULL, High REAL NOT NULL);
            CREATE INDEX IX_QuantityIndex_Resource ON QuantityIndex (ResourceSurrogate, ParamHash);
            CREATE INDEX IX_QuantityIndex_Lookup ON QuantityIndex (ValueHash, Low, High, ResourceSurrogate);
            """;

        protected override IEnumerable<(char Kind, string Sql, int Parameters)> InsertStatements =>
        [
            ('T', "INSERT INTO TokenIndex (ResourceSurrogate, ParamHash, ValueHash, CompositeGroup, System, Code, Text) VALUES ($1,$2,$3,$4,$5,$6,$7)", 7),
            ('S', "INSERT INTO StringIndex (ResourceSurrogate, ParamHash, CompositeGroup, Normalized, Exact) VALUES ($1,$2,$3,$4,$5)", 5),
            ('D', "INSERT INTO DateIndex (ResourceSurrogate, ParamHash, CompositeGroup, Start, \"End\") VALUES ($1,$2,$3,$4,$5)", 5),
            ('R', "INSERT INTO ReferenceIndex (ResourceSurrogate, ParamHash, ValueHash, CompositeGroup, TargetType, TargetId, Url, Version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", 8),
            ('U', "INSERT INTO UriIndex (ResourceSurrogate, ParamHash, ValueHash, CompositeGroup, Uri, Version) VALUES ($1,$2,$3,$4,$5,$6)", 6),
            ('N', "INSERT INTO NumberIndex (ResourceSurrogate, ParamHash, CompositeGroup, Value, Low, High) VALUES ($1,$2,$3,$4,$5,$6)", 6),
            ('Q', "INSERT INTO QuantityIndex (ResourceSurrogate, ParamHash, ValueHash, CompositeGroup, System, Code, Value, Low, High) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", 9),
        ];

        protected override object?[] Values(Row r, string type, long surrogate)
        {
            var param = Hash(Tenant, type, r.Param);
            return r.Kind switch
            {
                // The code alone is hashed (system checked on match), so code-only searches probe the same key.
                'T' => [surrogate, param, Hash(Tenant, type, r.Param, r.S2), r.Group, r.S1, r.S2, r.S3],
                'S' => [surrogate, param, r.Group, r.S1, r.S2],
                'D' => [surrogate, param, r.Group, r.T1, r.T2],
                'R' => [surrogate, param, Hash(Tenant, type, r.Param, r.S2 ?? r.S3), r.Group, r.S1, r.S2, r.S3, r.S4],
                'U' => [surrogate, param, Hash(Tenant, type, r.Param, r.S1), r.Group, r.S1, r.S2],
                'N' => [surrogate, param, r.Group, r.S1, r.D1, r.D2],
                _ => [surrogate, param, Hash(Tenant, type, r.Param, r.S2), r.Group, r.S1, r.S2, r.S3, r.D1, r.D2],
            };
        }
    }

    /// <summary>
    /// Microsoft FHIR server's shape: a small integer for (tenant, type, parameter), narrow rows, and the lookup key as
    /// the clustered key of a WITHOUT ROWID table (plus the per-resource index).
    /// </summary>
    internal class ClusteredShape(string suffix = "") : Shape
    {
        private readonly Dictionary<(string, string), int> _ids = [];

        public override string Key => "clustered";

        public override string Name => "MS FHIR: integer parameter ids, WITHOUT ROWID clustered";

        protected string Suffix => suffix;

        public override string Ddl => ClusteredDdl(suffix);

        internal static string ClusteredDdl(string s) => $"""
            CREATE TABLE TokenIndex{s} (ParamId INTEGER NOT NULL, Code TEXT, System TEXT, ResourceSurrogate INTEGER NOT NULL, Ordinal INTEGER NOT NULL, CompositeGroup INTEGER, Text TEXT, PRIMARY KEY (ParamId, Code, System, ResourceSurrogate, Ordinal)) WITHOUT ROWID;
            CREATE INDEX IX_TokenIndex{s}_Resource ON TokenIndex{s} (ResourceSurrogate, ParamId);
            CREATE TABLE StringIndex{s} (ParamId INTEGER NOT NULL, Normalized TEXT NOT NULL, ResourceSurrogate INTEGER NOT NULL, Ordinal INTEGER NOT NULL, CompositeGroup INTEGER, Exact TEXT NOT NULL, PRIMARY KEY (ParamId, Normalized, ResourceSurrogate, Ordinal)) WITHOUT ROWID;
            CREATE INDEX IX_StringIndex{s}_Resource ON StringIndex{s} (ResourceSurrogate, ParamId);
            CREATE TABLE DateIndex{s} (ParamId INTEGER NOT NULL, Start TEXT NOT NULL, "End" TEXT NOT NULL, ResourceSurrogate INTEGER NOT NULL, Ordinal INTEGER NOT NULL, CompositeGroup INTEGER, PRIMARY KEY (ParamId, Start, "End", ResourceSurrogate, Ordinal)) WITHOUT ROWID;
            CREATE INDEX IX_DateIndex{s}_Resource ON DateIndex{s} (ResourceSurrogate, ParamId);
            CREATE INDEX IX_DateIndex{s}_End ON DateIndex{s} (ParamId, "End", Start, ResourceSurrogate);
            CREATE TABLE ReferenceIndex{s} (ParamId INTEGER NOT NULL, TargetId TEXT, TargetType TEXT, ResourceSurrogate INTEGER NOT NULL, Ordinal INTEGER NOT NULL, CompositeGroup INTEGER, Url TEXT, Version TEXT, PRIMARY KEY (ParamId, TargetId, TargetType, ResourceSurrogate, Ordinal)) WITHOUT ROWID;
            CREATE INDEX IX_ReferenceIndex{s}_Resource ON ReferenceIndex{s} (ResourceSurrogate, ParamId);
            CREATE INDEX IX_ReferenceIndex{s}_Url ON ReferenceIndex{s} (ParamId, Url, Version, ResourceSurrogate) WHERE Url IS NOT NULL;
            CREATE TABLE UriIndex{s} (ParamId INTEGER NOT NULL, Uri TEXT NOT NULL, Version TEXT, ResourceSurrogate INTEGER NOT NULL, Ordinal INTEGER NOT NULL, CompositeGroup INTEGER, PRIMARY KEY (ParamId, Uri, Version, ResourceSurrogate, Ordinal)) WITHOUT ROWID;
            CREATE INDEX IX_UriIndex{s}_Resource ON UriIndex{s} (ResourceSurrogate, ParamId);
            CREATE TABLE NumberIndex{s} (ParamId INTEGER NOT NULL, Low REAL NOT NULL, High REAL NOT NULL, ResourceSurrogate INTEGER NOT NULL, Ordinal INTEGER NOT NULL, CompositeGroup INTEGER, Value TEXT NOT NULL, PRIMARY KEY (ParamId, Low, High, ResourceSurrogate, Ordinal)) WITHOUT ROWID;
            CREATE INDEX IX_NumberIndex{s}_Resource ON NumberIndex{s} (ResourceSurrogate, ParamId);
            CREATE TABLE QuantityIndex{s} (ParamId INTEGER NOT NULL, Code TEXT, Low REAL NOT NULL, High REAL NOT NULL, ResourceSurrogate INTEGER NOT NULL, Ordinal INTEGER NOT NULL, CompositeGroup INTEGER, System TEXT, Value TEXT NOT NULL, PRIMARY KEY (ParamId, Code, Low, High, ResourceSurrogate, Ordinal)) WITHOUT ROWID;
            CREATE INDEX IX_QuantityIndex{s}_Resource ON QuantityIndex{s} (ResourceSurrogate, ParamId);
            """;

        private int _ordinal;

        protected override IEnumerable<(char Kind, string Sql, int Parameters)> InsertStatements =>
        [
            ('T', $"INSERT INTO TokenIndex{suffix} (ResourceSurrogate, ParamId, Ordinal, CompositeGroup, System, Code, Text) VALUES ($1,$2,$3,$4,$5,$6,$7)", 7),
            ('S', $"INSERT INTO StringIndex{suffix} (ResourceSurrogate, ParamId, Ordinal, CompositeGroup, Normalized, Exact) VALUES ($1,$2,$3,$4,$5,$6)", 6),
            ('D', $"INSERT INTO DateIndex{suffix} (ResourceSurrogate, ParamId, Ordinal, CompositeGroup, Start, \"End\") VALUES ($1,$2,$3,$4,$5,$6)", 6),
            ('R', $"INSERT INTO ReferenceIndex{suffix} (ResourceSurrogate, ParamId, Ordinal, CompositeGroup, TargetType, TargetId, Url, Version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", 8),
            ('U', $"INSERT INTO UriIndex{suffix} (ResourceSurrogate, ParamId, Ordinal, CompositeGroup, Uri, Version) VALUES ($1,$2,$3,$4,$5,$6)", 6),
            ('N', $"INSERT INTO NumberIndex{suffix} (ResourceSurrogate, ParamId, Ordinal, CompositeGroup, Value, Low, High) VALUES ($1,$2,$3,$4,$5,$6,$7)", 7),
            ('Q', $"INSERT INTO QuantityIndex{suffix} (ResourceSurrogate, ParamId, Ordinal, CompositeGroup, System, Code, Value, Low, High) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", 9),
        ];

        protected override object?[] Values(Row r, string type, long surrogate)
        {
            if (!_ids.TryGetValue((type, r.Param), out var id))
            {
                id = _ids.Count + 1;
                _ids[(type, r.Param)] = id;
            }

            var ordinal = _ordinal++;
            return r.Kind switch
            {
                // Key columns of a WITHOUT ROWID table are NOT NULL: absent parts are stored as ''.
                'T' => [surrogate, id, ordinal, r.Group, r.S1 ?? "", r.S2 ?? "", r.S3],
                'S' => [surrogate, id, ordinal, r.Group, r.S1, r.S2],
                'D' => [surrogate, id, ordinal, r.Group, r.T1, r.T2],
                'R' => [surrogate, id, ordinal, r.Group, r.S1 ?? "", r.S2 ?? "", r.S3, r.S4],
                'U' => [surrogate, id, ordinal, r.Group, r.S1, r.S2 ?? ""],
                'N' => [surrogate, id, ordinal, r.Group, r.S1, r.D1, r.D2],
                _ => [surrogate, id, ordinal, r.Group, r.S1, r.S2 ?? "", r.S3, r.D1, r.D2],
            };
        }
    }

    /// <summary>
    /// PostgreSQL GIN's fastupdate: commits append index rows to small pending tables of the same shape; every
    /// <c>mergeEvery</c> requests the writer moves them into the main tables sorted by lookup key, in a transaction of
    /// its own. The pending tables carry the same indexes as the main ones, so a search can seek both.
    /// </summary>
    internal sealed class PendingShape(int mergeEvery) : TodayShape(sorted: false, suffix: "Pending")
    {
        private int _sinceMerge;

        public override string Key => $"pending{mergeEvery}";

        public override string Name => $"pending list (today's shape), merged every {mergeEvery} requests";

        public override string Ddl => TodayDdl(string.Empty, withRowKey: true) + TodayDdl("Pending", withRowKey: true);

        public override void AfterCommit(SqliteConnection connection, int requests)
        {
            _sinceMerge += requests;
            if (_sinceMerge >= mergeEvery)
            {
                Drain(connection);
            }
        }

        public override void Drain(SqliteConnection connection)
        {
            _sinceMerge = 0;
            Exec(connection, "BEGIN IMMEDIATE;" +
                "INSERT INTO TokenIndex (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, System, Code, Text) SELECT ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, System, Code, Text FROM TokenIndexPending ORDER BY TenantId, ResourceType, ParamName, Code, System, ResourceSurrogate; DELETE FROM TokenIndexPending;" +
                "INSERT INTO StringIndex (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Normalized, Exact) SELECT ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Normalized, Exact FROM StringIndexPending ORDER BY TenantId, ResourceType, ParamName, Normalized; DELETE FROM StringIndexPending;" +
                "INSERT INTO DateIndex (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Start, \"End\") SELECT ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Start, \"End\" FROM DateIndexPending ORDER BY TenantId, ResourceType, ParamName, Start; DELETE FROM DateIndexPending;" +
                "INSERT INTO ReferenceIndex (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, TargetType, TargetId, Url, Version) SELECT ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, TargetType, TargetId, Url, Version FROM ReferenceIndexPending ORDER BY TenantId, ResourceType, ParamName, TargetId; DELETE FROM ReferenceIndexPending;" +
                "INSERT INTO UriIndex (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Uri, Version) SELECT ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Uri, Version FROM UriIndexPending ORDER BY TenantId, ResourceType, ParamName, Uri; DELETE FROM UriIndexPending;" +
                "INSERT INTO NumberIndex (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Value, Low, High) SELECT ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, Value, Low, High FROM NumberIndexPending ORDER BY TenantId, ResourceType, ParamName, Low; DELETE FROM NumberIndexPending;" +
                "INSERT INTO QuantityIndex (ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, System, Code, Value, Low, High) SELECT ResourceSurrogate, TenantId, ResourceType, ParamName, CompositeGroup, System, Code, Value, Low, High FROM QuantityIndexPending ORDER BY TenantId, ResourceType, ParamName, Code, Low; DELETE FROM QuantityIndexPending;" +
                "COMMIT;");
        }
    }

    /// <summary>The pending list in front of the clustered (MS) shape.</summary>
    internal sealed class PendingClusteredShape(int mergeEvery) : ClusteredShape("Pending")
    {
        private int _sinceMerge;

        public override string Key => $"pending-clustered{mergeEvery}";

        public override string Name => $"pending list (clustered shape), merged every {mergeEvery} requests";

        public override string Ddl => ClusteredDdl(string.Empty) + ClusteredDdl("Pending");

        public override void AfterCommit(SqliteConnection connection, int requests)
        {
            _sinceMerge += requests;
            if (_sinceMerge >= mergeEvery)
            {
                Drain(connection);
            }
        }

        public override void Drain(SqliteConnection connection)
        {
            _sinceMerge = 0;
            var sql = new StringBuilder("BEGIN IMMEDIATE;");
            foreach (var table in new[] { "TokenIndex", "StringIndex", "DateIndex", "ReferenceIndex", "UriIndex", "NumberIndex", "QuantityIndex" })
            {
                // WITHOUT ROWID tables come out of a full scan in key order already.
                sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO {table} SELECT * FROM {table}Pending; DELETE FROM {table}Pending;");
            }

            Exec(connection, sql.Append("COMMIT;").ToString());
        }
    }
}
