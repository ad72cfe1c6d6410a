using Microsoft.Data.Sqlite;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// Copies committed WAL frames back into the database file on a thread of its own, and brings the WAL back to its
/// start before it grows large.
/// <para>
/// Left to SQLite, the commit that crosses the auto-checkpoint threshold does the copy and its fsyncs itself, on the
/// single writer thread. PASSIVE checkpoints here never block the writer or readers, but they alone do not stop the
/// WAL from growing: SQLite writes from the start of the file again only when a write transaction begins after a
/// checkpoint has copied every frame, and under steady writes a new commit always lands while a checkpoint is still
/// running. Measured before this class restarted the log: the WAL grew to the writer's backstop, and every few seconds
/// one commit did a checkpoint of its own and truncated a 200 MB file, stalling every request for 130–190 ms.
/// </para>
/// <para>
/// So once the WAL holds the committer's restart threshold (<see cref="DefaultRestartAfterPages"/> frames unless a test
/// lowers it), this thread takes the writer's turn between two groups (<see cref="EnterWriterTurn"/>), runs a RESTART
/// checkpoint (only the frames since its last PASSIVE pass are left to copy), and hands the turn back: the writer's
/// next commit starts the WAL file over, reusing its blocks.
/// Readers are never blocked; a reader that holds the WAL for longer than <see cref="RestartReaderWait"/> only defers the
/// restart, by <see cref="RestartBackoff"/>.
/// </para>
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>Pages of WAL after which the writer checkpoints by itself after all (about 200 MB at 4 KiB pages).</summary>
    public const int WriterBackstopPages = 50_000;

    /// <summary>
    /// WAL frames after which the log is restarted (128 MiB at 4 KiB pages). Each restart holds the writer for one short
    /// checkpoint (the frames since the last PASSIVE pass and two fsyncs); a larger log makes that pause rarer.
    /// </summary>
    public const int DefaultRestartAfterPages = 32_768;

    /// <summary>Commits arriving within this window are checkpointed together.</summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a restart waits for readers still on the WAL before it gives up until the next round.</summary>
    private static readonly TimeSpan RestartReaderWait = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// After a restart gave up on a reader, the next try waits this long: a reader that keeps its snapshot (a long
    /// read) would otherwise cost the writer <see cref="RestartReaderWait"/> in every round.
    /// </summary>
    private static readonly TimeSpan RestartBackoff = TimeSpan.FromSeconds(1);

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _passive;
    private readonly SqliteCommand _restart;
    private readonly AutoResetEvent _committed = new(false);

    /// <summary>
    /// The writer holds it (shared) while it commits a group; a restart takes it exclusively. A waiting restart blocks
    /// new groups, so the writer cannot starve it.
    /// </summary>
    private readonly ReaderWriterLockSlim _writerTurn = new(LockRecursionPolicy.NoRecursion);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private readonly int _restartAfterPages;
    private long _nextRestartTicks;

    public SqliteCheckpointer(StorageOptions options, int restartAfterPages)
    {
        _restartAfterPages = restartAfterPages;
        _connection = SqliteNames.Open(options, $" PRAGMA busy_timeout={(int)RestartReaderWait.TotalMilliseconds};");
        _passive = _connection.CreateCommand();
        _passive.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        _restart = _connection.CreateCommand();
        _restart.CommandText = "PRAGMA wal_checkpoint(RESTART);";
        _thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpoint" };
        _thread.Start();
    }

    /// <summary>Called by the writer before it begins a group's transaction; blocks only while a restart runs.</summary>
    public void EnterWriterTurn() => _writerTurn.EnterReadLock();

    /// <summary>Called by the writer once the group's transaction has ended, committed or not.</summary>
    public void ExitWriterTurn() => _writerTurn.ExitReadLock();

    /// <summary>Called by the writer after each commit; cheap, never blocks.</summary>
    public void Committed() => _committed.Set();

    public void Dispose()
    {
        _stopping = true;
        _committed.Set();
        _thread.Join();
        _passive.Dispose();
        _restart.Dispose();
        _connection.Dispose();
        _committed.Dispose();
        _writerTurn.Dispose();
    }

    private void Run()
    {
        while (true)
        {
            _committed.WaitOne();
            if (_stopping)
            {
                return;
            }

            Thread.Sleep(Coalesce);
            try
            {
                if (Checkpoint(_passive).Frames >= _restartAfterPages && Environment.TickCount64 >= _nextRestartTicks)
                {
                    RestartLog();
                }
            }
            catch (SqliteException)
            {
                // A checkpoint that could not run now (the database busy or briefly unavailable) is retried after the
                // next commit; until then the WAL just grows, and the writer's backstop bounds it.
            }
        }
    }

    private void RestartLog()
    {
        _writerTurn.EnterWriteLock();
        try
        {
            // No write transaction is open now, so RESTART copies what is left and waits only for readers still on the
            // WAL; if one outlasts the busy timeout it reports busy and the log restarts on a later round instead.
            if (Checkpoint(_restart).Busy)
            {
                _nextRestartTicks = Environment.TickCount64 + (long)RestartBackoff.TotalMilliseconds;
            }
        }
        finally
        {
            _writerTurn.ExitWriteLock();
        }
    }

    /// <summary>Runs a checkpoint: whether it was blocked from completing, and the number of frames in the WAL.</summary>
    private static (bool Busy, long Frames) Checkpoint(SqliteCommand checkpoint)
    {
        using var result = checkpoint.ExecuteReader();
        return result.Read() ? (result.GetInt64(0) != 0, result.GetInt64(1)) : (false, 0);
    }
}
