using AllianceFhir.Core.Storage;

namespace AllianceFhir.Storage.Sqlite;

public sealed partial class SqliteGroupCommitter : ICheckpointCommitter
{
    /// <summary>
    /// An import batch: its versions and its job's checkpoint in a transaction of its own, without a savepoint (perf on
    /// the writer thread, importing WAI-SR responses in batches of 500 inside a savepoint: 39 % of its time in
    /// <c>memjrnlTruncate</c>, SQLite freeing the savepoint's in-memory journal). A failure rolls all of it back.
    /// </summary>
    bool ICheckpointCommitter.CommitsApart => true;

    Task ICheckpointCommitter.CommitAsync(string tenant, IReadOnlyList<ResourceWrite> writes, JobCheckpoint checkpoint, CancellationToken cancellationToken) =>
        Enqueue(tenant, writes, checkpoint, cancellationToken);
}
