using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Subscriptions;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// One EF transaction per commit, on the request's own context. SQL Server uses it: its row locks let writers run side
/// by side. (SQLite serializes writers, so there <see cref="Sqlite.SqliteGroupCommitter"/> groups them instead.)
/// </summary>
/// <remarks>The subscription notifications a commit causes (<see cref="ICommitObserver"/>) are outbox rows of the same transaction.</remarks>
public sealed partial class EfVersionCommitter(FhirDbContext db, ICommitObserver? observer = null) : IVersionCommitter
{
    public Task CommitAsync(string tenant, IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) =>
        CommitAsync(new Commit(tenant, writes), cancellationToken);

    private async Task CommitAsync(Commit commit, CancellationToken cancellationToken)
    {
        if (observer is not null)
        {
            commit = commit with { Notifications = await observer.MatchAsync(commit.Tenant, commit.Writes, cancellationToken) };
        }

        // SQL Server is registered with a retrying execution strategy, which refuses a transaction the caller opened
        // itself: the whole unit (claims, version rows, index rows) runs inside the strategy instead, so a transient
        // fault anywhere in it rolls all of it back and runs all of it again from the start.
        //
        // A fault while COMMIT is in flight is ambiguous: the commit may have landed. Before retrying, the strategy asks
        // CommittedAsync whether this commit's first version row is in the database with this commit's content, and
        // if so answers success. Should that check ever be wrong, the retry still cannot write twice: the unique
        // (tenant, type, id, version) and current-row indexes and the condition-claim key refuse a second copy of any of
        // these rows, and the retry fails as a lost race rather than storing anything.
        try
        {
            await db.Database.CreateExecutionStrategy().ExecuteInTransactionAsync(
                commit,
                WriteAllAsync,
                CommittedAsync,
                cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }

        observer?.Committed(commit.Tenant, commit.Writes, commit.Notifications ?? []);
    }

    private async Task WriteAllAsync(Commit commit, CancellationToken cancellationToken)
    {
        var (tenant, writes, checkpoint, _) = commit;
        // A retried attempt starts from nothing: entities tracked by a failed attempt were never stored. (The strategy
        // has begun the transaction: on SQL Server the guarded UPDATE below takes the row lock; on SQLite
        // Microsoft.Data.Sqlite begins it IMMEDIATE, so writers queue instead of failing half-way.)
        db.ChangeTracker.Clear();
        try
        {
            // Claims first: a racing writer of the same condition waits here on the key (SQL Server) before doing any
            // other work, and always in hash order, so that two commits claiming several conditions cannot deadlock.
            foreach (var (write, hash) in writes
                .Where(w => w.Claim is not null)
                .Select(w => (Write: w, Hash: ConditionHash.Of(w.Claim!.Condition)))
                .OrderBy(c => c.Hash, StringComparer.Ordinal))
            {
                await ClaimAsync(tenant, write, hash, cancellationToken);
            }

            var versions = new List<(ResourceEntity Entity, ResourceWrite Write)>(writes.Count);
            var audits = new List<(AuditEventEntity Entity, Core.Audit.AuditEventRow Row)>();
            foreach (var write in writes)
            {
                // An AuditEvent is a narrow row of its own table, not a resource version (ResourceWrite.Audit).
                if (write.Audit is { } audit)
                {
                    var row = AuditEventRows.ToEntity(tenant, audit);
                    db.AuditEvents.Add(row);
                    audits.Add((row, audit));
                    continue;
                }

                await RetirePreviousVersionAsync(tenant, write, cancellationToken);
                var entity = new ResourceEntity
                {
                    TenantId = tenant,
                    ResourceType = write.ResourceType,
                    ResourceId = write.Id,
                    VersionId = write.VersionId,
                    IsHistory = false,
                    IsDeleted = write.IsDeleted,
                    LastUpdated = write.LastUpdated.UtcDateTime,
                    Method = write.Method,
                    Json = write.Json,
                };
                db.Resources.Add(entity);
                versions.Add((entity, write));
            }

            var now = DateTime.UtcNow;
            foreach (var entry in commit.Notifications ?? [])
            {
                db.SubscriptionOutbox.Add(new SubscriptionOutboxEntity
                {
                    TenantId = entry.Tenant,
                    SubscriptionId = entry.SubscriptionId,
                    Kind = entry.Kind.ToString(),
                    ResourceType = entry.ResourceType,
                    ResourceId = entry.ResourceId,
                    VersionId = entry.VersionId,
                    Context = entry.Context,
                    CreatedAt = now,
                });
            }

            // The version rows first (their keys are generated), then every index row pointing at them.
            await db.SaveChangesAsync(cancellationToken);
            var indexRows = new List<SearchIndexEntity>();
            foreach (var (entity, write) in versions)
            {
                foreach (var row in IndexRowMapper.ToRows(tenant, write.ResourceType, write.Index))
                {
                    row.ResourceSurrogate = entity.Surrogate;
                    indexRows.Add(row);
                }
            }

            await IndexRowWriter.InsertAsync(db, indexRows, cancellationToken);
            if (audits.Count > 0)
            {
                db.AuditEventTargets.AddRange(audits.SelectMany(a => AuditEventRows.Targets(tenant, a.Row, a.Entity.Surrogate)));
                await db.SaveChangesAsync(cancellationToken);
            }

            if (checkpoint is not null)
            {
                await ApplyAsync(checkpoint, cancellationToken);
            }
        }
        catch (DbUpdateException ex) when (UniqueViolation.Is(ex))
        {
            // Leaving the operation rolls the transaction back (the strategy disposes it uncommitted); a lost race is
            // not transient, so the strategy does not retry it.
            var first = writes[0];

            // The unique (type, id, version) and (type, id) current-row indexes are what turn a lost race into this.
            // SaveChanges sends the version rows together, so which of several writes lost is not known here.
            throw new VersionConflictException(first.ResourceType, first.Id, first.VersionId, ex);
        }
    }

    /// <summary>
    /// After a fault during COMMIT: did the commit land? The commit is atomic, so its first version row answers for all
    /// of it; the content is compared because a racing writer may have stored the same id and version instead.
    /// </summary>
    private async Task<bool> CommittedAsync(Commit commit, CancellationToken cancellationToken)
    {
        var (tenant, writes, checkpoint, _) = commit;
        if (checkpoint is not null)
        {
            // An import batch committed with its job's checkpoint: the job's sequence says whether it landed.
            return await CheckpointCommittedAsync(checkpoint, cancellationToken);
        }

        var first = writes[0];
        if (first.Audit is { } audit)
        {
            return await db.AuditEvents.AsNoTracking().AnyAsync(a => a.TenantId == tenant && a.EventId == audit.Id, cancellationToken);
        }

        var stored = await db.Resources.AsNoTracking()
            .Where(r => r.TenantId == tenant && r.ResourceType == first.ResourceType && r.ResourceId == first.Id && r.VersionId == first.VersionId)
            .Select(r => new { r.Json, r.IsDeleted, r.LastUpdated })
            .FirstOrDefaultAsync(cancellationToken);
        return stored is not null
            && stored.Json == first.Json
            && stored.IsDeleted == first.IsDeleted
            && stored.LastUpdated == first.LastUpdated.UtcDateTime;
    }

    /// <summary>
    /// Inserts the condition's row, or takes over the row naming the resource the writer found no longer matching
    /// (compare-and-set, as for versions). Either way a writer that loses learns who holds the condition now.
    /// </summary>
    private async Task ClaimAsync(string tenant, ResourceWrite write, string hash, CancellationToken cancellationToken)
    {
        var claim = write.Claim!;
        var row = db.ConditionClaims.Where(c => c.TenantId == tenant && c.ResourceType == write.ResourceType && c.ConditionHash == hash);
        bool claimed;
        if (claim.Replaces is { } replaced)
        {
            claimed = await row.Where(c => c.ResourceId == replaced)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.ResourceId, write.Id), cancellationToken) == 1;
        }
        else
        {
            db.ConditionClaims.Add(new ConditionClaimEntity
            {
                TenantId = tenant,
                ResourceType = write.ResourceType,
                ConditionHash = hash,
                ResourceId = write.Id,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                claimed = true;
            }
            catch (DbUpdateException ex) when (UniqueViolation.Is(ex))
            {
                claimed = false;
            }
        }

        if (!claimed)
        {
            // On SQL Server the insert waited for the holder's transaction, so the holder is committed and readable.
            var owner = await row.AsNoTracking().Select(c => c.ResourceId).FirstOrDefaultAsync(cancellationToken);
            throw new ConditionClaimedException(write.ResourceType, write.Id, claim.Condition, owner);
        }
    }

    /// <summary>
    /// Moves the current version to history only if it is the version this write follows: a compare-and-set in one
    /// statement, so a writer that read an older version finds nothing to retire and loses.
    /// </summary>
    private async Task RetirePreviousVersionAsync(string tenant, ResourceWrite write, CancellationToken cancellationToken)
    {
        var previous = write.VersionId - 1;
        if (previous == 0)
        {
            return;
        }

        var current = await db.Resources
            .Where(r => r.TenantId == tenant && r.ResourceType == write.ResourceType && r.ResourceId == write.Id && !r.IsHistory)
            .Select(r => new { r.Surrogate, r.VersionId })
            .FirstOrDefaultAsync(cancellationToken);
        if (current is null)
        {
            // Nothing current: only acceptable when this id has never been written (a client-chosen id on update-as-create).
            return;
        }

        var retired = await db.Resources
            .Where(r => r.Surrogate == current.Surrogate && r.VersionId == previous && !r.IsHistory)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.IsHistory, true), cancellationToken);
        if (retired != 1)
        {
            throw new VersionConflictException(write.ResourceType, write.Id, write.VersionId);
        }

        await SearchIndexRows.DeleteForAsync(db, current.Surrogate, cancellationToken);
    }
}

/// <summary>One commit as the execution strategy hands it to each attempt: every write belongs to this tenant.</summary>
internal sealed record Commit(string Tenant, IReadOnlyList<ResourceWrite> Writes, JobCheckpoint? Checkpoint = null, IReadOnlyList<OutboxEntry>? Notifications = null);
