using System.Collections.Concurrent;
using System.Diagnostics;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Subscriptions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// SQLite has one writer at a time, so a transaction per request made the commit itself the ceiling: every commit
/// writes each page it touched to the WAL, and a FHIR resource with its search-index rows touches dozens. Here one
/// thread owns the write connection and commits whatever requests are queued in one transaction (group commit),
/// each request inside its own savepoint: a request that fails (a lost version race) is undone alone and gets its own
/// error, and a request's task completes only once the transaction holding it is committed. Nothing waits on a timer:
/// a lone request is committed at once, and groups form only while the writer is busy.
/// </summary>
/// <remarks>
/// Each commit also carries the subscription notifications it causes (<see cref="ICommitObserver"/>, matched before it is
/// queued): they are inserted in the same savepoint as its versions, so a notification exists exactly when its write does.
/// </remarks>
public sealed partial class SqliteGroupCommitter(IOptions<StorageOptions> options, IServiceScopeFactory scopes, ICommitObserver? observer = null) : IVersionCommitter, IDisposable
{
    /// <summary>Enough to spread one commit over many requests; small enough to keep a group's latency low.</summary>
    private const int MaxWritesPerGroup = 256;

    private readonly BlockingCollection<PendingCommit> _queue = [];
    private readonly Lock _startLock = new();
    private SqliteConnection? _connection;
    private SqliteWriteStatements? _statements;
    private SqliteCheckpointer? _checkpointer;
    private Thread? _writer;
    private bool _disposed;

    /// <summary>
    /// Staged AuditEvent target rows after which the writer merges them into the indexed table (<see cref="SqliteAuditStatement"/>):
    /// a merge visits each leaf of the (tenant, type, id) lookup once for all its entries, so larger merges cost less per
    /// row, while the staging table, which an entity or patient search scans, stays small. About a second of reads at the
    /// benchmark's rate; tests lower it to see merges.
    /// </summary>
    internal int MergeStagedAfter { get; init; } = 8192;

    /// <summary>A slower trickle is merged by the first commit this long after the last merge (and every staged row on shutdown).</summary>
    internal static readonly TimeSpan MergeStagedEvery = TimeSpan.FromSeconds(30);

    /// <summary>When the last merge ran, or the committer started: the time trigger.</summary>
    private long _lastMerge = Stopwatch.GetTimestamp();

    /// <summary>When a merge last failed, if one did: the next waits <see cref="MergeRetryPause"/>, not the next commit.</summary>
    private long? _mergeFailed;

    /// <summary>WAL frames after which the checkpointer restarts the log; tests lower it to see restarts quickly.</summary>
    internal int WalRestartPages { get; init; } = SqliteCheckpointer.DefaultRestartAfterPages;

    public Task CommitAsync(string tenant, IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) =>
        Enqueue(tenant, writes, null, cancellationToken);

    private async Task Enqueue(string tenant, IReadOnlyList<ResourceWrite> writes, JobCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureStarted();
        var statements = _statements!;
        var notifications = observer is null ? [] : await observer.MatchAsync(tenant, writes, cancellationToken);
        var pending = new PendingCommit([.. writes.Select(w => statements.PrepareWrite(tenant, w))], checkpoint, cancellationToken) { Alone = checkpoint is not null, Notifications = notifications };
        _queue.Add(pending, CancellationToken.None);
        await pending.Completion.Task;
        observer?.Committed(tenant, writes, notifications);
    }

    /// <summary>
    /// A batch of new resources in a transaction of its own, without savepoints (<see cref="SqliteWriteStatements.Append"/>):
    /// all of it is stored or none. Inserting the index rows sorted in index order was measured too and saved nothing.
    /// </summary>
    public async Task AppendAsync(string tenant, IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (writes.Any(w => w.VersionId != 1 || w.Claim is not null))
        {
            throw new ArgumentException("Only new resources without condition claims can be appended", nameof(writes));
        }

        EnsureStarted();
        var statements = _statements!;
        var notifications = observer is null ? [] : await observer.MatchAsync(tenant, writes, cancellationToken);
        var pending = new PendingCommit([.. writes.Select(w => statements.PrepareWrite(tenant, w))], checkpoint: null, cancellationToken) { Alone = true, Notifications = notifications };
        _queue.Add(pending, CancellationToken.None);
        await pending.Completion.Task;
        observer?.Committed(tenant, writes, notifications);
    }

    public void Dispose()
    {
        lock (_startLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;

            // Requests already queued are still committed before the connection closes, and every staged audit target
            // is merged (the writer thread has ended, so the connection is this thread's).
            _queue.CompleteAdding();
            _writer?.Join();
            if (_statements is not null && _statements.StagedAuditTargets > 0)
            {
                InWriterTurn(MergeStaged);
            }

            _checkpointer?.Dispose();
            _statements?.Dispose();
            _connection?.Dispose();
            _queue.Dispose();
        }
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _writer) is not null)
        {
            return;
        }

        lock (_startLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is not null)
            {
                return;
            }

            // Opened here rather than on the writer thread, so a database that cannot be opened fails the request
            // that asked, with the real error.
            var model = SqliteNames.ResolveModel(scopes);
            var connection = SqliteNames.Open(options.Value, $" PRAGMA wal_autocheckpoint={SqliteCheckpointer.WriterBackstopPages};");
            try
            {
                _statements = new SqliteWriteStatements(connection, model);
                _checkpointer = new SqliteCheckpointer(options.Value, WalRestartPages);
                _connection = connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            var writer = new Thread(WriteLoop) { IsBackground = true, Name = "SQLite group commit" };
            writer.Start();
            Volatile.Write(ref _writer, writer);
        }
    }

    private void WriteLoop()
    {
        var group = new List<PendingCommit>();
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            group.Clear();
            PendingCommit? alone = null;
            if (first.Alone)
            {
                alone = first;
            }
            else
            {
                group.Add(first);
                var writes = first.Writes.Count;
                while (writes < MaxWritesPerGroup && _queue.TryTake(out var next))
                {
                    if (next.Alone)
                    {
                        // Its own transaction, right after this group's.
                        alone = next;
                        break;
                    }

                    group.Add(next);
                    writes += next.Writes.Count;
                }
            }

            if (group.Count > 0)
            {
                InWriterTurn(() => CommitGroup(group));
            }

            if (alone is not null)
            {
                InWriterTurn(() => CommitAlone(alone));
            }

            var staged = _statements!.StagedAuditTargets;
            if (staged > 0 && (staged >= MergeStagedAfter || Stopwatch.GetElapsedTime(_lastMerge) >= MergeStagedEvery)
                && (_mergeFailed is not { } failed || Stopwatch.GetElapsedTime(failed) >= MergeRetryPause))
            {
                InWriterTurn(MergeStaged);
            }
        }
    }

    /// <summary>A failed merge is not retried after every commit, only after this (its rows stay searchable where they are).</summary>
    private static readonly TimeSpan MergeRetryPause = TimeSpan.FromSeconds(1);

    /// <summary>Staged AuditEvent targets into the indexed table, in a transaction of their own.</summary>
    private void MergeStaged()
    {
        var statements = _statements!;
        try
        {
            statements.Begin();
            statements.MergeStagedAuditTargets();
            statements.Commit();
            _lastMerge = Stopwatch.GetTimestamp();
            _mergeFailed = null;
        }
        catch (Exception)
        {
            // An I/O failure: the staged rows stay staged, and searches read them there; the next merge takes them.
            statements.RollbackIfOpen();
            _mergeFailed = Stopwatch.GetTimestamp();
        }
    }

    private void InWriterTurn(Action commit)
    {
        _checkpointer!.EnterWriterTurn();
        try
        {
            commit();
        }
        finally
        {
            _checkpointer.ExitWriterTurn();
        }

        _checkpointer.Committed();
    }

    private void CommitAlone(PendingCommit pending)
    {
        var statements = _statements!;
        try
        {
            pending.Cancellation.ThrowIfCancellationRequested();
            statements.Begin();
            if (pending.Checkpoint is { } checkpoint)
            {
                statements.ApplyBatch(pending.Writes, checkpoint, pending.Notifications);
                statements.WriteIndexRows();
            }
            else
            {
                statements.Append(pending.Writes, pending.Notifications);
            }

            statements.Commit();
        }
        catch (Exception failure)
        {
            statements.RollbackIfOpen();
            pending.Completion.TrySetException(failure);
            return;
        }

        pending.Completion.TrySetResult();
    }

    private void CommitGroup(List<PendingCommit> group)
    {
        var statements = _statements!;
        var failures = new Exception?[group.Count];
        try
        {
            statements.Begin();
            for (var i = 0; i < group.Count; i++)
            {
                var request = group[i];
                failures[i] = request.Cancellation.IsCancellationRequested
                    ? new OperationCanceledException(request.Cancellation)
                    : statements.TryApply(request.Writes, request.Checkpoint, request.Notifications);
            }

            statements.WriteIndexRows();
            statements.Commit();
        }
        catch (Exception groupFailure)
        {
            // BEGIN or COMMIT failed (or SQLite rolled the transaction back under us): nothing of this group is stored.
            statements.RollbackIfOpen();
            for (var i = 0; i < failures.Length; i++)
            {
                failures[i] ??= groupFailure;
            }
        }

        for (var i = 0; i < group.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                group[i].Completion.TrySetException(failure);
            }
            else
            {
                group[i].Completion.TrySetResult();
            }
        }
    }

    private sealed class PendingCommit(IReadOnlyList<PreparedWrite> writes, JobCheckpoint? checkpoint, CancellationToken cancellation)
    {
        public IReadOnlyList<PreparedWrite> Writes { get; } = writes;

        public JobCheckpoint? Checkpoint { get; } = checkpoint;

        public CancellationToken Cancellation { get; } = cancellation;

        /// <summary>The outbox rows this commit causes.</summary>
        public IReadOnlyList<OutboxEntry> Notifications { get; init; } = [];

        /// <summary>An append or an import batch: committed in a transaction of its own, never grouped with others.</summary>
        public bool Alone { get; init; }

        /// <summary>Continuations run on the thread pool, never on the writer thread.</summary>
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
