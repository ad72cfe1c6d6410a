namespace AllianceFhir.Core.Export;

/// <summary>
/// The durable record of export jobs, with the lease protocol of <see cref="Import.IImportJobStore"/>: a worker claims a
/// job with a lease, and every checkpoint is a compare-and-set over the job's sequence that holds only while the worker
/// still leases the running job. So after a crash another worker resumes after the last checkpoint, two replicas never
/// write the same job, and a cancelled job checkpoints nothing more.
/// </summary>
public interface IExportJobStore
{
    Task CreateAsync(ExportJob job, CancellationToken cancellationToken);

    /// <summary>The tenant's job, or null (another tenant's job is not found either).</summary>
    Task<ExportJob?> FindAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>A queued job, or a running one whose lease has run out, now leased to <paramref name="owner"/>; null when none.</summary>
    Task<ExportJob?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Records the job's new progress (and its sequence + 1), extending the lease; false when the job was cancelled or taken over.</summary>
    Task<bool> CheckpointAsync(ExportJob job, ExportProgress progress, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Sets a terminal state with the time the files expire (only while the worker holds the lease and the job runs).</summary>
    Task<bool> FinishAsync(ExportJob job, ExportJobStatus status, string? failure, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Gives up the leases <paramref name="owner"/> holds, so a restarted server resumes its jobs at once.</summary>
    Task ReleaseAsync(string owner, CancellationToken cancellationToken);

    /// <summary>Cancels a job that has not expired; false when there was none to cancel.</summary>
    Task<bool> CancelAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>Ids of jobs whose files have expired (finished jobs past their expiry, cancelled jobs), oldest first.</summary>
    Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Forgets a job (after its files were deleted).</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);
}
