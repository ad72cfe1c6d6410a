using AllianceFhir.Core.Audit;
using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// The AuditEvent row and its target rows, on the group committer's write connection, in the transaction (and the
/// savepoint) of the commit that carries them: a write and its audit are stored together or not at all.
/// </summary>
/// <remarks>
/// Every read appends one event and its targets here, on the single writer thread (perf of reads by id: 27 % of the API
/// process on that thread, much of it in the driver's per-execution work). So the rows are bound by position on raw
/// statements straight from the <see cref="AuditEventRow"/>: no entity, no value array, no LINQ, times as the driver's
/// text without formatting strings, and the event's surrogate from <c>sqlite3_last_insert_rowid</c> (the Surrogate
/// column is the table's INTEGER PRIMARY KEY, the rowid itself) instead of a RETURNING clause. The columns hold exactly
/// what EF's path stores (<see cref="AuditEventRows.ToEntity"/>), which the tests check byte for byte.
/// <para>
/// Target rows are appended to <c>AuditEventTargetsStaged</c> (no index, rowid order) and moved into the indexed
/// <c>AuditEventTargets</c> in key order by <see cref="MergeStaged"/>, which the committer runs every
/// <see cref="SqliteGroupCommitter.MergeStagedAfter"/> rows and on shutdown. Inserted in place, each read's entry landed
/// on the (tenant, type, id) leaf of the patient it read, a different page for nearly every event, and every commit wrote
/// (and the checkpointer copied) most of those leaves: half of the writer's CPU per read and four fifths of its WAL. A
/// merge of thousands visits each leaf once for many entries (floor, <c>audit-targets</c>: writer and checkpointer CPU per
/// read 36-40 → 19-20 µs, merge included; docs/performance.md, "Reads by id, fifth pass"). Searches by entity and patient
/// read both tables, so nothing changes for a client.
/// </para>
/// </remarks>
internal sealed class SqliteAuditStatement : IDisposable
{
    private const char Separator = AuditEventRows.Separator;

    /// <summary>
    /// Up to this many references an event's targets are made distinct here; beyond, the merge's INSERT OR IGNORE on the
    /// key does it (a search collapses staged duplicates itself: it asks which events match).
    /// </summary>
    private const int DistinctInMemory = 16;

    private static readonly string[] Columns =
    [
        nameof(AuditEventEntity.TenantId), nameof(AuditEventEntity.EventId), nameof(AuditEventEntity.Recorded),
        nameof(AuditEventEntity.LastUpdated), nameof(AuditEventEntity.Subtype), nameof(AuditEventEntity.Action),
        nameof(AuditEventEntity.Outcome), nameof(AuditEventEntity.UserId), nameof(AuditEventEntity.ClientId),
        nameof(AuditEventEntity.Address), nameof(AuditEventEntity.Entities), nameof(AuditEventEntity.Query),
        nameof(AuditEventEntity.Patients),
    ];

    private static readonly string[] TargetColumns =
    [
        nameof(AuditEventTargetEntity.AuditSurrogate), nameof(AuditEventTargetEntity.TenantId),
        nameof(AuditEventTargetEntity.TargetType), nameof(AuditEventTargetEntity.TargetId),
    ];

    private readonly RawStatement _insert;
    private readonly RawStatement _insertTarget;
    private readonly RawStatement _mergeStaged;
    private readonly RawStatement _clearStaged;

    /// <summary>Where several references are joined before binding.</summary>
    private char[] _joined = new char[256];

    public SqliteAuditStatement(SqliteConnection connection, IModel model)
    {
        var audits = model.FindEntityType(typeof(AuditEventEntity))!;
        var targets = model.FindEntityType(typeof(AuditEventTargetEntity))!;
        var staged = model.FindEntityType(typeof(AuditEventStagedTargetEntity))!;
        _insert = new RawStatement(
            connection,
            $"INSERT INTO {SqliteNames.Table(audits)} ({string.Join(", ", Columns.Select(c => SqliteNames.Column(audits, c)))}) " +
            $"VALUES ({string.Join(", ", Columns.Select((_, i) => $"?{i + 1}"))})");
        _insertTarget = new RawStatement(
            connection,
            $"INSERT INTO {SqliteNames.Table(staged)} ({string.Join(", ", TargetColumns.Select(c => SqliteNames.Column(staged, c)))}) " +
            $"VALUES ({string.Join(", ", TargetColumns.Select((_, i) => $"?{i + 1}"))})");
        var targetColumns = string.Join(", ", TargetColumns.Select(c => SqliteNames.Column(targets, c)));
        var stagedColumns = string.Join(", ", TargetColumns.Select(c => SqliteNames.Column(staged, c)));
        string[] lookupKey = [nameof(AuditEventTargetEntity.TenantId), nameof(AuditEventTargetEntity.TargetType), nameof(AuditEventTargetEntity.TargetId), nameof(AuditEventTargetEntity.AuditSurrogate)];
        _mergeStaged = new RawStatement(
            connection,
            $"INSERT OR IGNORE INTO {SqliteNames.Table(targets)} ({targetColumns}) SELECT {stagedColumns} FROM {SqliteNames.Table(staged)} " +
            $"ORDER BY {string.Join(", ", lookupKey.Select(c => SqliteNames.Column(staged, c)))}");
        _clearStaged = new RawStatement(connection, $"DELETE FROM {SqliteNames.Table(staged)}");
    }

    /// <summary>Target rows staged since this statement was prepared (a rolled-back savepoint's rows included: an early merge is harmless).</summary>
    public int StagedRows { get; private set; }

    /// <summary>
    /// Moves every staged target row into the indexed table, in lookup-key order (each leaf visited once), and empties
    /// the staging table. Runs inside the caller's transaction, so a search sees each row in exactly one of the two.
    /// </summary>
    public void MergeStaged()
    {
        try
        {
            _mergeStaged.Execute();
        }
        finally
        {
            _mergeStaged.Reset();
        }

        try
        {
            _clearStaged.Execute();
        }
        finally
        {
            _clearStaged.Reset();
        }

        StagedRows = 0;
    }

    public void Insert(string tenant, AuditEventRow row)
    {
        long surrogate;
        try
        {
            _insert.Bind(1, tenant);
            _insert.Bind(2, row.Id);
            _insert.Bind(3, row.Recorded.UtcDateTime);
            _insert.Bind(4, row.LastUpdated.UtcDateTime);
            _insert.Bind(5, row.Subtype);
            _insert.Bind(6, row.Action);
            _insert.Bind(7, row.Outcome);
            _insert.Bind(8, row.User);
            _insert.Bind(9, row.Client);
            _insert.Bind(10, row.Address);
            BindJoined(11, row.Entities);
            _insert.Bind(12, row.Query);
            BindJoined(13, row.Patients);
            _insert.Execute();
            surrogate = _insert.LastInsertRowId;
        }
        finally
        {
            _insert.Reset();
        }

        var count = row.Entities.Count + row.Patients.Count;
        for (var i = 0; i < count; i++)
        {
            if (!Target(row, i, out var type, out var id) || (count <= DistinctInMemory && SeenBefore(row, i, type, id)))
            {
                continue;
            }

            try
            {
                _insertTarget.Bind(1, surrogate);
                _insertTarget.Bind(2, tenant);
                _insertTarget.Bind(3, type);
                _insertTarget.Bind(4, id);
                _insertTarget.Execute();
                StagedRows++;
            }
            finally
            {
                _insertTarget.Reset();
            }
        }
    }

    /// <summary>As <see cref="AuditEventRows.Join"/>: NULL for none, else the references one per line.</summary>
    private void BindJoined(int position, IReadOnlyList<string> references)
    {
        switch (references.Count)
        {
            case 0:
                _insert.BindNull(position);
                return;
            case 1:
                _insert.Bind(position, references[0]);
                return;
        }

        var length = references.Count - 1;
        foreach (var reference in references)
        {
            length += reference.Length;
        }

        if (length > _joined.Length)
        {
            _joined = new char[Math.Max(length, _joined.Length * 2)];
        }

        var written = 0;
        foreach (var reference in references)
        {
            if (written > 0)
            {
                _joined[written++] = Separator;
            }

            reference.CopyTo(_joined.AsSpan(written));
            written += reference.Length;
        }

        _insert.Bind(position, _joined.AsSpan(0, written));
    }

    /// <summary>The i-th reference (entities, then patients) as (type, id), read as <see cref="AuditEventRow.Targets"/> reads it.</summary>
    private static bool Target(AuditEventRow row, int i, out ReadOnlySpan<char> type, out ReadOnlySpan<char> id) =>
        AuditEventRow.TryReadTarget(i < row.Entities.Count ? row.Entities[i] : row.Patients[i - row.Entities.Count], out type, out id);

    private static bool SeenBefore(AuditEventRow row, int i, ReadOnlySpan<char> type, ReadOnlySpan<char> id)
    {
        for (var j = 0; j < i; j++)
        {
            if (Target(row, j, out var otherType, out var otherId) && otherType.SequenceEqual(type) && otherId.SequenceEqual(id))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        _insert.Dispose();
        _insertTarget.Dispose();
        _mergeStaged.Dispose();
        _clearStaged.Dispose();
    }
}
