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
/// </remarks>
internal sealed class SqliteAuditStatement : IDisposable
{
    private const char Separator = AuditEventRows.Separator;

    /// <summary>Up to this many references an event's targets are made distinct here; beyond, the INSERT OR IGNORE on the key does it.</summary>
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

    /// <summary>Where several references are joined before binding.</summary>
    private char[] _joined = new char[256];

    public SqliteAuditStatement(SqliteConnection connection, IModel model)
    {
        var audits = model.FindEntityType(typeof(AuditEventEntity))!;
        var targets = model.FindEntityType(typeof(AuditEventTargetEntity))!;
        _insert = new RawStatement(
            connection,
            $"INSERT INTO {SqliteNames.Table(audits)} ({string.Join(", ", Columns.Select(c => SqliteNames.Column(audits, c)))}) " +
            $"VALUES ({string.Join(", ", Columns.Select((_, i) => $"?{i + 1}"))})");
        _insertTarget = new RawStatement(
            connection,
            $"INSERT OR IGNORE INTO {SqliteNames.Table(targets)} ({string.Join(", ", TargetColumns.Select(c => SqliteNames.Column(targets, c)))}) " +
            $"VALUES ({string.Join(", ", TargetColumns.Select((_, i) => $"?{i + 1}"))})");
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
    }
}
