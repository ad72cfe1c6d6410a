using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AllianceFhir.Storage;

/// <summary>
/// WAL lets readers run beside the single writer; synchronous=NORMAL (the default, <see cref="StorageOptions.Synchronous"/>)
/// is durable across application crashes (the WAL is synced at checkpoints), the usual setting for WAL; FULL also syncs
/// the WAL at every commit, so an OS crash or power loss cannot undo an acknowledged write either. busy_timeout makes writers queue rather than fail.
/// temp_store=MEMORY keeps statement journals (savepoints, multi-row statements) off disk: by default SQLite created and
/// deleted a temporary file for them in every write transaction. journal_size_limit trims the WAL file back to 256 MiB
/// after a checkpoint has emptied it, instead of keeping its largest size on disk for good; it sits above the size at
/// which <see cref="Sqlite.SqliteCheckpointer"/> restarts the log, because truncating the file at every restart cost the
/// writer 66 ms (measured) and the next frames then had to allocate the blocks again.
/// </summary>
internal sealed class SqlitePragmas(StorageOptions options) : DbConnectionInterceptor
{
    private readonly string _commands = CommandsFor(options);

    /// <summary>The pragmas every connection gets, EF's and the hand-opened ones alike (synchronous is per connection).</summary>
    public static string CommandsFor(StorageOptions options) =>
        $"PRAGMA journal_mode=WAL; PRAGMA synchronous={(options.Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")}; " +
        "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=4000; " +
        "PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=268435456;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override async Task ConnectionOpenedAsync(
        DbConnection connection,
        ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _commands;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _commands;
        command.ExecuteNonQuery();
    }
}
