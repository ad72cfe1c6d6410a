using Microsoft.Data.Sqlite;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// Copies committed WAL frames back into the database file on a thread of its own. Left to SQLite, the commit that
/// crosses the auto-checkpoint threshold does the copy and its fsyncs itself, on the single writer thread: every few
/// dozen commits one request waited for all of that. PASSIVE checkpoints never block the writer or readers; the
/// writer keeps a high auto-checkpoint threshold only as a backstop in case this thread falls behind.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>Pages of WAL after which the writer checkpoints by itself after all (about 200 MB at 4 KiB pages).</summary>
    public const int WriterBackstopPages = 50_000;

    /// <summary>Commits arriving within this window are checkpointed together.</summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(100);

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _checkpoint;
    private readonly AutoResetEvent _committed = new(false);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public SqliteCheckpointer(StorageOptions options)
    {
        _connection = SqliteNames.Open(options);
        _checkpoint = _connection.CreateCommand();
        _checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        _thread = new Thread(Run) { IsBackground = true, Name = "SQLite checkpoint" };
        _thread.Start();
    }

    /// <summary>Called by the writer after each commit; cheap, never blocks.</summary>
    public void Committed() => _committed.Set();

    public void Dispose()
    {
        _stopping = true;
        _committed.Set();
        _thread.Join();
        _checkpoint.Dispose();
        _connection.Dispose();
        _committed.Dispose();
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
                _checkpoint.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // A checkpoint that could not run now (the database busy or briefly unavailable) is retried after the
                // next commit; until then the WAL just grows, and the writer's backstop bounds it.
            }
        }
    }
}
