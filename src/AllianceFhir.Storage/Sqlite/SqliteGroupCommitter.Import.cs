using AllianceFhir.Core.Storage;

namespace AllianceFhir.Storage.Sqlite;

public sealed partial class SqliteGroupCommitter : ICheckpointCommitter
{
    /// <summary>An import batch: its versions and its job's checkpoint in one savepoint of the group's transaction.</summary>
    Task ICheckpointCommitter.CommitAsync(string tenant, IReadOnlyList<ResourceWrite> writes, JobCheckpoint checkpoint, CancellationToken cancellationToken) =>
        Enqueue(tenant, writes, checkpoint, cancellationToken);
}
