using AllianceFhir.Core.Import;
using AllianceFhir.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

public sealed partial class EfVersionCommitter : ICheckpointCommitter
{
    /// <summary>It commits through the scope's context, which the worker also reads through: never alongside.</summary>
    bool ICheckpointCommitter.CommitsApart => false;

    /// <summary>An import batch: its versions and its job's checkpoint in one transaction (retried whole, like any commit).</summary>
    Task ICheckpointCommitter.CommitAsync(string tenant, IReadOnlyList<ResourceWrite> writes, JobCheckpoint checkpoint, CancellationToken cancellationToken) =>
        CommitAsync(new Commit(tenant, writes, checkpoint), cancellationToken);

    /// <summary>Compare-and-set on the job: only the lease holder, at the sequence it last saw, while the job runs.</summary>
    private async Task ApplyAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var running = nameof(ImportJobStatus.Running);
        var updated = await db.ImportJobs
            .Where(j => j.Id == checkpoint.JobId && j.Sequence == checkpoint.ExpectedSequence && j.LeaseOwner == checkpoint.LeaseOwner && j.Status == running)
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.Sequence, checkpoint.NewSequence)
                    .SetProperty(j => j.Progress, checkpoint.Progress)
                    .SetProperty(j => j.LeaseUntil, checkpoint.LeaseUntil),
                cancellationToken);
        if (updated != 1)
        {
            throw new ImportLeaseLostException(checkpoint.JobId);
        }
    }

    private Task<bool> CheckpointCommittedAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken) =>
        db.ImportJobs.AsNoTracking().AnyAsync(
            j => j.Id == checkpoint.JobId && j.Sequence == checkpoint.NewSequence && j.LeaseOwner == checkpoint.LeaseOwner,
            cancellationToken);
}
