using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// One statement of the writer's connection as its own <c>sqlite3_stmt</c>, prepared once and bound by position. Per
/// execution, <see cref="SqliteCommand"/> looks every parameter up by name, binds it through a type switch, walks its
/// statement list and opens a data reader: on the single writer thread that cost about as much CPU as SQLite's own
/// B-tree work on a row (perf, docs/performance.md). Values are bound as Microsoft.Data.Sqlite binds them (text as the
/// same UTF-8, <see cref="DateTime"/> as <see cref="SqliteDateTimeText"/>), and failures surface as the same
/// <see cref="SqliteException"/> (result code and extended code), which is what the callers map.
/// </summary>
/// <remarks>
/// Use: bind every parameter, <see cref="Execute"/> (or <see cref="Step"/> and read columns), and <see cref="Reset"/> in
/// a <c>finally</c>. Statements that run inside the writer's open transaction step with <see cref="Step"/>: inside a
/// transaction that holds the write lock there is nothing to wait for. A read outside any transaction (the prepared
/// reads by id, <see cref="SqliteVersionReader"/>) steps with <see cref="StepReading"/>, which repeats SqliteCommand's
/// busy retry; its <see cref="Reset"/> ends the statement's read transaction, so it must follow every read at once.
/// </remarks>
internal sealed class RawStatement : IDisposable
{
    /// <summary>Text up to this many bytes is encoded into <see cref="_utf8"/>, which grows to it; longer text borrows a pooled buffer.</summary>
    private const int MaxKeptBuffer = 64 * 1024;

    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;

    /// <summary>
    /// Where text is encoded before binding. SQLitePCLRaw binds spans with SQLITE_TRANSIENT (SQLite copies them), so one
    /// buffer serves every parameter.
    /// </summary>
    private byte[] _utf8 = new byte[256];

    public RawStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        Sql = sql;
        var rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        _statement = statement;
    }

    public string Sql { get; }

    public void Bind(int position, long value) => Check(raw.sqlite3_bind_int64(_statement, position, value));

    /// <summary>As the driver binds a bool: 1 or 0, INTEGER.</summary>
    public void Bind(int position, bool value) => Bind(position, value ? 1L : 0L);

    /// <summary>As the driver binds a double: REAL, NaN refused with the driver's message.</summary>
    public void Bind(int position, double value)
    {
        if (double.IsNaN(value))
        {
            throw new InvalidOperationException("Cannot store 'NaN' values.");
        }

        Check(raw.sqlite3_bind_double(_statement, position, value));
    }

    /// <summary>Text as UTF-8 (what the driver's string binding encodes), or NULL.</summary>
    public void Bind(int position, string? value)
    {
        if (value is null)
        {
            BindNull(position);
            return;
        }

        Bind(position, value.AsSpan());
    }

    /// <summary>Text as UTF-8, with invalid UTF-16 replaced as <see cref="Encoding.UTF8"/> (and so the driver) replaces it.</summary>
    public void Bind(int position, ReadOnlySpan<char> value)
    {
        var most = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (most <= _utf8.Length)
        {
            BindUtf8(position, value, _utf8);
            return;
        }

        if (most <= MaxKeptBuffer)
        {
            _utf8 = new byte[Math.Max(most, _utf8.Length * 2)];
            BindUtf8(position, value, _utf8);
            return;
        }

        // A resource's JSON now and then: borrowed, not kept for the writer's lifetime.
        var rented = ArrayPool<byte>.Shared.Rent(most);
        try
        {
            BindUtf8(position, value, rented);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A <see cref="DateTime"/> as the driver's text (<see cref="SqliteDateTimeText"/>); the caller converts to UTC first, as EF's converter does.</summary>
    public void Bind(int position, DateTime value)
    {
        Span<byte> text = stackalloc byte[SqliteDateTimeText.MaxLength];
        var length = SqliteDateTimeText.Format(value, text);
        Check(raw.sqlite3_bind_text(_statement, position, text[..length]));
    }

    private void BindUtf8(int position, ReadOnlySpan<char> value, byte[] buffer)
    {
        var length = Encoding.UTF8.GetBytes(value, buffer);
        Check(raw.sqlite3_bind_text(_statement, position, buffer.AsSpan(0, length)));
    }

    public void BindNull(int position) => Check(raw.sqlite3_bind_null(_statement, position));

    /// <summary>Runs the statement to its end (no rows expected, or none wanted); the caller resets.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        while (rc == raw.SQLITE_ROW)
        {
            rc = raw.sqlite3_step(_statement);
        }

        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }

    /// <summary>Steps once: whether there is a row to read with <see cref="Int64"/> or <see cref="Text"/>.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }

        return rc == raw.SQLITE_ROW;
    }

    /// <summary>
    /// The first step of a statement that runs in a transaction of its own, as the driver's data reader takes it: while
    /// SQLite answers SQLITE_BUSY or SQLITE_LOCKED (past the connection's busy_timeout, or where SQLite does not wait),
    /// reset and try again every 150 ms until the connection's default command timeout, then throw as the driver does.
    /// </summary>
    public bool StepReading()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc is raw.SQLITE_BUSY or raw.SQLITE_LOCKED)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var timeout = TimeSpan.FromSeconds(_connection.DefaultTimeout);
            while (rc is raw.SQLITE_BUSY or raw.SQLITE_LOCKED
                && (timeout == TimeSpan.Zero || System.Diagnostics.Stopwatch.GetElapsedTime(started) < timeout))
            {
                raw.sqlite3_reset(_statement);
                Thread.Sleep(150);
                rc = raw.sqlite3_step(_statement);
            }
        }

        if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }

        return rc == raw.SQLITE_ROW;
    }

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>As the driver's <c>GetInt32</c>: the 64-bit value, checked.</summary>
    public int Int32(int column) => checked((int)Int64(column));

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    /// <summary>A TEXT value as the driver's <c>GetDateTime</c> reads it (<see cref="SqliteDateTimeText.Parse"/>).</summary>
    public DateTime DateTime(int column) =>
        raw.sqlite3_column_type(_statement, column) == raw.SQLITE_TEXT
            ? SqliteDateTimeText.Parse(raw.sqlite3_column_blob(_statement, column))
            : throw new InvalidOperationException($"Column {column} of '{Sql}' holds no date text (type {raw.sqlite3_column_type(_statement, column)})");

    public string? Text(int column) =>
        raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    /// <summary>Rows changed by the last execution (as <see cref="SqliteCommand.ExecuteNonQuery"/> counts them).</summary>
    public int Changes => raw.sqlite3_changes(_connection.Handle);

    /// <summary>The rowid of the row the last INSERT on this connection wrote.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_connection.Handle);

    /// <summary>Makes the statement ready to run again. Its result code repeats a failure already thrown, so it is not checked.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _connection.Handle);

    public void Dispose() => _statement.Dispose();
}
