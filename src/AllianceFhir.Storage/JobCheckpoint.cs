using AllianceFhir.Core.Storage;

namespace AllianceFhir.Storage;

/// <summary>
/// An import job's new progress, committed in the same transaction as a batch of versions: it applies only if the job
/// is still running, leased to <see cref="LeaseOwner"/>, at <see cref="ExpectedSequence"/>; otherwise the whole commit
/// fails with <see cref="Core.Import.ImportLeaseLostException"/> and nothing of the batch is stored.
/// </summary>
internal sealed record JobCheckpoint(string JobId, string LeaseOwner, long ExpectedSequence, string Progress, DateTime LeaseUntil)
{
    public long NewSequence => ExpectedSequence + 1;
}

/// <summary>A committer that can carry a <see cref="JobCheckpoint"/> in the transaction of a batch of versions.</summary>
internal interface ICheckpointCommitter
{
    /// <summary>True when a commit runs on a connection of its own (SQLite's writer thread), never on the caller's context.</summary>
    bool CommitsApart { get; }

    Task CommitAsync(string tenant, IReadOnlyList<ResourceWrite> writes, JobCheckpoint checkpoint, CancellationToken cancellationToken);
}
