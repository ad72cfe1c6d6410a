using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Subscriptions;
using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// The statements of the SQLite write path, prepared once on the committer's connection and reused for every version.
/// They do what <see cref="EfVersionCommitter"/> does through EF (retire the previous version by compare-and-set,
/// replace its index rows, insert the new version), without EF's per-commit command building, which cost more than
/// SQLite's own work. Names come from the EF model.
/// </summary>
/// <remarks>
/// The per-write statements are bound by position on raw statements (<see cref="RawStatement"/>): through
/// <see cref="SqliteCommand"/> each execution looked its parameters up by name, walked its statement list and opened a
/// data reader, which the perf profiles of create and submit showed on the single writer thread. The transaction's own
/// BEGIN, COMMIT and ROLLBACK stay commands: BEGIN IMMEDIATE may have to wait for the write lock, and the command's
/// busy retry is what waits.
/// </remarks>
internal sealed class SqliteWriteStatements : IDisposable
{
    /// <summary>SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE: a lost race on the version indexes.</summary>
    private const int ConstraintPrimaryKey = 1555;
    private const int ConstraintUnique = 2067;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly RawStatement _savepoint;
    private readonly RawStatement _releaseSavepoint;
    private readonly RawStatement _rollbackToSavepoint;
    private readonly RawStatement _retire;
    private readonly RawStatement _hasCurrent;
    private readonly RawStatement _insertVersion;
    private readonly RawStatement _insertClaim;
    private readonly RawStatement _replaceClaim;
    private readonly RawStatement _claimOwner;
    private readonly List<RawStatement> _deleteIndexRows = [];
    private readonly Dictionary<Type, IndexTableInsert> _indexInserts = [];
    private readonly SqliteCheckpointStatement _checkpoint;
    private readonly SqliteOutboxStatement _outbox;
    private readonly SqliteAuditStatement _audit;

    /// <summary>The group's index rows, written at its end in key order (<see cref="WriteIndexRows"/>).</summary>
    private readonly List<GroupRow> _groupRows = [];

    /// <summary>Versions retired within the group (by requests that succeeded): their deferred rows are never written.</summary>
    private readonly HashSet<long> _groupRetired = [];
    private readonly List<long> _requestRetired = [];

    public SqliteWriteStatements(SqliteConnection connection, IModel model)
    {
        _connection = connection;
        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
        _savepoint = new RawStatement(connection, "SAVEPOINT request");
        _releaseSavepoint = new RawStatement(connection, "RELEASE request");
        _rollbackToSavepoint = new RawStatement(connection, "ROLLBACK TO request");

        var resources = model.FindEntityType(typeof(ResourceEntity))!;
        string C(string property) => SqliteNames.Column(resources, property);
        var current = $"{C(nameof(ResourceEntity.TenantId))} = ?1 AND {C(nameof(ResourceEntity.ResourceType))} = ?2 " +
            $"AND {C(nameof(ResourceEntity.ResourceId))} = ?3 AND {C(nameof(ResourceEntity.IsHistory))} = 0";

        // Compare-and-set: only the version this write follows is retired; anything else means another writer won.
        _retire = new RawStatement(
            connection,
            $"UPDATE {SqliteNames.Table(resources)} SET {C(nameof(ResourceEntity.IsHistory))} = 1 " +
            $"WHERE {current} AND {C(nameof(ResourceEntity.VersionId))} = ?4 RETURNING {C(nameof(ResourceEntity.Surrogate))}");
        _hasCurrent = new RawStatement(connection, $"SELECT 1 FROM {SqliteNames.Table(resources)} WHERE {current}");
        string[] versionColumns =
        [
            nameof(ResourceEntity.TenantId), nameof(ResourceEntity.ResourceType), nameof(ResourceEntity.ResourceId),
            nameof(ResourceEntity.VersionId), nameof(ResourceEntity.IsHistory), nameof(ResourceEntity.IsDeleted),
            nameof(ResourceEntity.LastUpdated), nameof(ResourceEntity.Method), nameof(ResourceEntity.Json),
        ];

        // The new version's surrogate is read with sqlite3_last_insert_rowid: the Surrogate column is the rowid itself.
        _insertVersion = new RawStatement(
            connection,
            $"INSERT INTO {SqliteNames.Table(resources)} ({string.Join(", ", versionColumns.Select(C))}) " +
            $"VALUES ({string.Join(", ", versionColumns.Select((_, i) => $"?{i + 1}"))})");

        var claims = model.FindEntityType(typeof(ConditionClaimEntity))!;
        string K(string property) => SqliteNames.Column(claims, property);
        var claimKey = $"{K(nameof(ConditionClaimEntity.TenantId))} = ?1 AND {K(nameof(ConditionClaimEntity.ResourceType))} = ?2 " +
            $"AND {K(nameof(ConditionClaimEntity.ConditionHash))} = ?3";
        _insertClaim = new RawStatement(
            connection,
            $"INSERT INTO {SqliteNames.Table(claims)} ({K(nameof(ConditionClaimEntity.TenantId))}, {K(nameof(ConditionClaimEntity.ResourceType))}, " +
            $"{K(nameof(ConditionClaimEntity.ConditionHash))}, {K(nameof(ConditionClaimEntity.ResourceId))}) VALUES (?1, ?2, ?3, ?4)");
        _replaceClaim = new RawStatement(
            connection,
            $"UPDATE {SqliteNames.Table(claims)} SET {K(nameof(ConditionClaimEntity.ResourceId))} = ?4 " +
            $"WHERE {claimKey} AND {K(nameof(ConditionClaimEntity.ResourceId))} = ?5");
        _claimOwner = new RawStatement(
            connection,
            $"SELECT {K(nameof(ConditionClaimEntity.ResourceId))} FROM {SqliteNames.Table(claims)} WHERE {claimKey}");

        foreach (var indexType in model.GetEntityTypes().Where(e => e.ClrType.IsSubclassOf(typeof(SearchIndexEntity))))
        {
            _deleteIndexRows.Add(new RawStatement(
                connection,
                $"DELETE FROM {SqliteNames.Table(indexType)} WHERE {SqliteNames.Column(indexType, nameof(SearchIndexEntity.ResourceSurrogate))} = ?1"));
            _indexInserts[indexType.ClrType] = new IndexTableInsert(connection, indexType, _indexInserts.Count);
        }

        _checkpoint = new SqliteCheckpointStatement(connection, model);
        _outbox = new SqliteOutboxStatement(connection, model);
        _audit = new SqliteAuditStatement(connection, model);
    }

    public void Begin()
    {
        _groupRows.Clear();
        _groupRetired.Clear();
        _begin.ExecuteNonQuery();
    }

    /// <summary>
    /// Writes the index rows of the group's successful requests, table by table in lookup-key order, so each leaf page
    /// of a lookup index is visited once per group rather than once per request (issue 11: the writer's CPU per create
    /// fell by about a quarter in the storage floor's prototypes). Index rows have no unique constraint, so nothing
    /// here fails for one request alone; a failure (I/O) fails the group, as a failed COMMIT does.
    /// </summary>
    public void WriteIndexRows()
    {
        _groupRows.Sort(static (a, b) =>
        {
            var byTable = a.Table.Order.CompareTo(b.Table.Order);
            if (byTable != 0)
            {
                return byTable;
            }

            var byKey = a.Table.ParamKey(a.Values).CompareTo(b.Table.ParamKey(b.Values));
            return byKey != 0 ? byKey : a.Surrogate.CompareTo(b.Surrogate);
        });
        foreach (var row in _groupRows)
        {
            if (!_groupRetired.Contains(row.Surrogate))
            {
                row.Table.Insert(row.Values, row.Surrogate);
            }
        }

        _groupRows.Clear();
    }

    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>AuditEvent target rows staged since the last merge (<see cref="SqliteAuditStatement"/>).</summary>
    public int StagedAuditTargets => _audit.StagedRows;

    /// <summary>Moves the staged AuditEvent target rows into the indexed table, in the open transaction.</summary>
    public void MergeStagedAuditTargets() => _audit.MergeStaged();

    /// <summary>Rolls back whatever transaction is open; SQLite may already have rolled it back itself after an I/O error.</summary>
    public void RollbackIfOpen()
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
        {
            _rollback.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Applies one request's writes inside a savepoint of the group's transaction. On failure only this request's
    /// writes are undone, and the failure is returned for that request; the rest of the group carries on.
    /// </summary>
    /// <param name="checkpoint">An import job's progress, which commits with these writes or not at all.</param>
    /// <param name="notifications">The outbox rows these writes cause, which commit with them or not at all.</param>
    public Exception? TryApply(IReadOnlyList<PreparedWrite> writes, JobCheckpoint? checkpoint = null, IReadOnlyList<OutboxEntry>? notifications = null)
    {
        var firstRow = _groupRows.Count;
        _requestRetired.Clear();
        Run(_savepoint);
        try
        {
            foreach (var write in writes)
            {
                Apply(write);
            }

            if (checkpoint is not null)
            {
                _checkpoint.Apply(checkpoint);
            }

            _outbox.Insert(notifications ?? []);
            Run(_releaseSavepoint);
            _groupRetired.UnionWith(_requestRetired);
            return null;
        }
        catch (Exception failure)
        {
            _groupRows.RemoveRange(firstRow, _groupRows.Count - firstRow);

            // Any failure belongs to this request alone (a lost race, a constraint, a value that cannot be stored):
            // undo its writes and hand the exception to it. If SQLite has dropped the whole transaction, the
            // rollback below throws and the committer fails the group.
            Run(_rollbackToSavepoint);
            Run(_releaseSavepoint);
            return failure;
        }
    }

    /// <summary>
    /// Applies an import batch with its job's checkpoint, with no savepoint: the caller runs it in a transaction of its
    /// own, calls <see cref="WriteIndexRows"/>, and rolls all of it back on failure (see <see cref="Append"/> for why a
    /// savepoint around hundreds of writes is the expensive part).
    /// </summary>
    public void ApplyBatch(IReadOnlyList<PreparedWrite> writes, JobCheckpoint checkpoint, IReadOnlyList<OutboxEntry> notifications)
    {
        _requestRetired.Clear();
        _outbox.Insert(notifications);
        foreach (var write in writes)
        {
            Apply(write);
        }

        _checkpoint.Apply(checkpoint);
        _groupRetired.UnionWith(_requestRetired);
    }

    /// <summary>
    /// Inserts new resources (version 1, no claims) with their index rows, with no savepoint: the caller runs them in a
    /// transaction of their own and rolls all of it back on failure. A savepoint around hundreds of inserts was the
    /// expensive part of committing them as one request: SQLite keeps every statement's page images inside a savepoint
    /// in its in-memory journal until the savepoint is released (perf: 45 % of the writer thread freeing that journal).
    /// </summary>
    public void Append(IReadOnlyList<PreparedWrite> writes, IReadOnlyList<OutboxEntry> notifications)
    {
        _outbox.Insert(notifications);
        foreach (var prepared in writes)
        {
            var write = prepared.Write;
            if (write.Audit is { } audit)
            {
                InsertAudit(prepared.Tenant, write, audit);
                continue;
            }

            long surrogate;
            try
            {
                surrogate = InsertVersion(prepared.Tenant, write);
            }
            catch (SqliteException ex) when (ex.SqliteExtendedErrorCode is ConstraintUnique or ConstraintPrimaryKey)
            {
                throw new VersionConflictException(write.ResourceType, write.Id, write.VersionId, ex);
            }

            foreach (var (table, values) in prepared.IndexRows)
            {
                table.Insert(values, surrogate);
            }
        }
    }

    /// <summary>
    /// Everything about a write that needs no database: its index rows as column values. Thread-safe; callers run it
    /// before queueing so the single writer thread does as little as possible.
    /// </summary>
    public PreparedWrite PrepareWrite(string tenant, ResourceWrite write)
    {
        var rows = new List<(IndexTableInsert, object?[])>();
        foreach (var row in IndexRowMapper.ToRows(tenant, write.ResourceType, write.Index))
        {
            var table = _indexInserts[row.GetType()];
            rows.Add((table, table.Values(row)));
        }

        return new PreparedWrite(tenant, write, rows, write.Claim is { } claim ? ConditionHash.Of(claim.Condition) : null);
    }

    private void Apply(PreparedWrite prepared)
    {
        var (tenant, write) = (prepared.Tenant, prepared.Write);
        if (write.Audit is { } audit)
        {
            InsertAudit(tenant, write, audit);
            return;
        }

        if (prepared.ClaimHash is { } hash)
        {
            Claim(tenant, write, hash);
        }

        if (write.VersionId > 1)
        {
            RetirePreviousVersion(tenant, write);
        }

        long surrogate;
        try
        {
            surrogate = InsertVersion(tenant, write);
        }
        catch (SqliteException ex) when (ex.SqliteExtendedErrorCode is ConstraintUnique or ConstraintPrimaryKey)
        {
            // The unique (type, id, version) and current-row indexes are what turn a lost race into this.
            throw new VersionConflictException(write.ResourceType, write.Id, write.VersionId, ex);
        }

        foreach (var (table, values) in prepared.IndexRows)
        {
            _groupRows.Add(new GroupRow(table, values, surrogate));
        }
    }

    /// <summary>An AuditEvent is a narrow row of its own table, not a resource version (<see cref="ResourceWrite.Audit"/>).</summary>
    private void InsertAudit(string tenant, ResourceWrite write, Core.Audit.AuditEventRow audit)
    {
        try
        {
            _audit.Insert(tenant, audit);
        }
        catch (SqliteException ex) when (ex.SqliteExtendedErrorCode is ConstraintUnique or ConstraintPrimaryKey)
        {
            throw new VersionConflictException(write.ResourceType, write.Id, write.VersionId, ex);
        }
    }

    /// <summary>Inserts the condition's row, or takes over the row naming the resource the writer found no longer matching.</summary>
    private void Claim(string tenant, ResourceWrite write, string hash)
    {
        var claim = write.Claim!;
        bool claimed;
        if (claim.Replaces is { } replaced)
        {
            try
            {
                BindClaim(_replaceClaim, tenant, write.ResourceType, hash);
                _replaceClaim.Bind(4, write.Id);
                _replaceClaim.Bind(5, replaced);
                _replaceClaim.Execute();
                claimed = _replaceClaim.Changes == 1;
            }
            finally
            {
                _replaceClaim.Reset();
            }
        }
        else
        {
            try
            {
                BindClaim(_insertClaim, tenant, write.ResourceType, hash);
                _insertClaim.Bind(4, write.Id);
                _insertClaim.Execute();
                claimed = true;
            }
            catch (SqliteException ex) when (ex.SqliteExtendedErrorCode is ConstraintUnique or ConstraintPrimaryKey)
            {
                claimed = false;
            }
            finally
            {
                _insertClaim.Reset();
            }
        }

        if (!claimed)
        {
            // The holder may be earlier in this same group; the loser hears of it only once the group has committed.
            string? holder;
            try
            {
                BindClaim(_claimOwner, tenant, write.ResourceType, hash);
                holder = _claimOwner.Step() ? _claimOwner.Text(0) : null;
            }
            finally
            {
                _claimOwner.Reset();
            }

            throw new ConditionClaimedException(write.ResourceType, write.Id, claim.Condition, holder);
        }
    }

    private void RetirePreviousVersion(string tenant, ResourceWrite write)
    {
        long? retired;
        try
        {
            BindCurrent(_retire, tenant, write);
            _retire.Bind(4, write.VersionId - 1L);

            // A RETURNING statement makes all its changes in its first step.
            retired = _retire.Step() ? _retire.Int64(0) : null;
        }
        finally
        {
            _retire.Reset();
        }

        if (retired is { } surrogate)
        {
            // Its rows may still wait in this group, unwritten.
            _requestRetired.Add(surrogate);
            foreach (var delete in _deleteIndexRows)
            {
                delete.Bind(1, surrogate);
                Run(delete);
            }

            return;
        }

        // Nothing retired. That is fine only when nothing is current (a client-chosen id written for the first time
        // by update-as-create); a current row of another version means a concurrent writer got there first.
        bool hasCurrent;
        try
        {
            BindCurrent(_hasCurrent, tenant, write);
            hasCurrent = _hasCurrent.Step();
        }
        finally
        {
            _hasCurrent.Reset();
        }

        if (hasCurrent)
        {
            throw new VersionConflictException(write.ResourceType, write.Id, write.VersionId);
        }
    }

    /// <summary>Inserts the version row; its surrogate, the rowid, is what its index rows point at.</summary>
    private long InsertVersion(string tenant, ResourceWrite write)
    {
        try
        {
            _insertVersion.Bind(1, tenant);
            _insertVersion.Bind(2, write.ResourceType);
            _insertVersion.Bind(3, write.Id);
            _insertVersion.Bind(4, (long)write.VersionId);
            _insertVersion.Bind(5, false);
            _insertVersion.Bind(6, write.IsDeleted);
            _insertVersion.Bind(7, write.LastUpdated.UtcDateTime);
            _insertVersion.Bind(8, write.Method);
            _insertVersion.Bind(9, write.Json);
            _insertVersion.Execute();
            return _insertVersion.LastInsertRowId;
        }
        finally
        {
            _insertVersion.Reset();
        }
    }

    /// <summary>Tenant, type and id: the first three parameters of the statements about a resource's current row.</summary>
    private static void BindCurrent(RawStatement statement, string tenant, ResourceWrite write)
    {
        statement.Bind(1, tenant);
        statement.Bind(2, write.ResourceType);
        statement.Bind(3, write.Id);
    }

    /// <summary>Tenant, type and condition hash: the first three parameters of the claim statements.</summary>
    private static void BindClaim(RawStatement statement, string tenant, string type, string hash)
    {
        statement.Bind(1, tenant);
        statement.Bind(2, type);
        statement.Bind(3, hash);
    }

    /// <summary>Runs a statement whose parameters are bound, and makes it ready for the next run whatever happens.</summary>
    private static void Run(RawStatement statement)
    {
        try
        {
            statement.Execute();
        }
        finally
        {
            statement.Reset();
        }
    }

    private SqliteCommand Prepare(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Prepare();
        return command;
    }

    public void Dispose()
    {
        foreach (var command in new[] { _begin, _commit, _rollback })
        {
            command.Dispose();
        }

        foreach (var statement in new[] { _savepoint, _releaseSavepoint, _rollbackToSavepoint, _retire, _hasCurrent, _insertVersion, _insertClaim, _replaceClaim, _claimOwner }.Concat(_deleteIndexRows))
        {
            statement.Dispose();
        }

        foreach (var insert in _indexInserts.Values)
        {
            insert.Dispose();
        }

        _checkpoint.Dispose();
        _outbox.Dispose();
        _audit.Dispose();
    }
}

/// <summary>An index row waiting for the end of its group, with the surrogate of the version it belongs to.</summary>
internal readonly record struct GroupRow(IndexTableInsert Table, object?[] Values, long Surrogate);

/// <summary>A write with its index rows already turned into column values (and its claim hashed), ready for the writer thread.</summary>
internal sealed record PreparedWrite(string Tenant, ResourceWrite Write, IReadOnlyList<(IndexTableInsert Table, object?[] Values)> IndexRows, string? ClaimHash);
