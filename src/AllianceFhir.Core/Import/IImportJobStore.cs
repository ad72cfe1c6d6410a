using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Import;

/// <summary>
/// The durable record of import jobs. A worker claims a job with a lease; every batch of resources it imports is
/// committed in the same database transaction as the job's new progress, and only while the worker still holds the
/// lease and the job is running. So after a crash the job resumes exactly after its last committed batch, two workers
/// never import the same lines, and a cancelled job commits nothing more.
/// </summary>
public interface IImportJobStore
{
    /// <summary>
    /// Whether <see cref="CommitBatchAsync"/> commits on a connection of its own, so the worker may prepare its next
    /// batch (reading through its own scope) while one commits; false where the commit uses the scope's context.
    /// </summary>
    bool CommitsApart { get; }

    Task CreateAsync(ImportJob job, CancellationToken cancellationToken);

    /// <summary>The tenant's job, or null (another tenant's job is not found either).</summary>
    Task<ImportJob?> FindAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>A queued job, or a running one whose lease has run out, now leased to <paramref name="owner"/>; null when none.</summary>
    Task<ImportJob?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Commits the writes with the job's new progress (and its sequence + 1), extending the lease.
    /// </summary>
    /// <exception cref="ImportLeaseLostException">The job was cancelled, finished, or leased to another worker: nothing was written.</exception>
    /// <exception cref="VersionConflictException">A concurrent writer changed a resource of the batch: nothing was written.</exception>
    Task CommitBatchAsync(ImportJob job, IReadOnlyList<ResourceWrite> writes, ImportProgress progress, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Sets a terminal state (only while the worker holds the lease and the job runs).</summary>
    Task<bool> FinishAsync(ImportJob job, ImportJobStatus status, string? failure, CancellationToken cancellationToken);

    /// <summary>
    /// Gives up the leases <paramref name="owner"/> holds on running jobs, so the next worker (after a restart) resumes
    /// them at once from their last checkpoint instead of waiting for the lease to run out.
    /// </summary>
    Task ReleaseAsync(string owner, CancellationToken cancellationToken);

    /// <summary>Cancels a job that has not finished; false when it had already finished.</summary>
    Task<bool> CancelAsync(string tenant, string id, CancellationToken cancellationToken);
}
