using AllianceFhir.Core.Audit;
using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// The AuditEvent row and its target rows, on the group committer's write connection, in the transaction (and the
/// savepoint) of the commit that carries them: a write and its audit are stored together or not at all.
/// </summary>
internal sealed class SqliteAuditStatement : IDisposable
{
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

    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _insertTarget;

    public SqliteAuditStatement(SqliteConnection connection, IModel model)
    {
        var audits = model.FindEntityType(typeof(AuditEventEntity))!;
        var targets = model.FindEntityType(typeof(AuditEventTargetEntity))!;
        _insert = Prepare(
            connection,
            $"INSERT INTO {SqliteNames.Table(audits)} ({string.Join(", ", Columns.Select(c => SqliteNames.Column(audits, c)))}) " +
            $"VALUES ({string.Join(", ", Columns.Select(c => "$" + c))}) RETURNING {SqliteNames.Column(audits, nameof(AuditEventEntity.Surrogate))}",
            Columns);
        _insertTarget = Prepare(
            connection,
            $"INSERT OR IGNORE INTO {SqliteNames.Table(targets)} ({string.Join(", ", TargetColumns.Select(c => SqliteNames.Column(targets, c)))}) " +
            $"VALUES ({string.Join(", ", TargetColumns.Select(c => "$" + c))})",
            TargetColumns);
    }

    public void Insert(string tenant, AuditEventRow row)
    {
        var entity = AuditEventRows.ToEntity(tenant, row);
        object?[] values =
        [
            entity.TenantId, entity.EventId, entity.Recorded, entity.LastUpdated, entity.Subtype, entity.Action, entity.Outcome,
            entity.UserId, entity.ClientId, entity.Address, entity.Entities, entity.Query, entity.Patients,
        ];
        for (var i = 0; i < values.Length; i++)
        {
            _insert.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        var surrogate = (long)_insert.ExecuteScalar()!;
        foreach (var (type, id) in row.Targets())
        {
            _insertTarget.Parameters[0].Value = surrogate;
            _insertTarget.Parameters[1].Value = tenant;
            _insertTarget.Parameters[2].Value = type;
            _insertTarget.Parameters[3].Value = id;
            _insertTarget.ExecuteNonQuery();
        }
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, string[] columns)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var column in columns)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = "$" + column });
        }

        command.Prepare();
        return command;
    }

    public void Dispose()
    {
        _insert.Dispose();
        _insertTarget.Dispose();
    }
}
