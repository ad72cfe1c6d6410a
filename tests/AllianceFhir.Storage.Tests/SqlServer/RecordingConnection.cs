using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.SqlClient;

namespace AllianceFhir.Storage.Tests.SqlServer;

/// <summary>
/// A connection that never reaches a server: every command the SQL Server provider (or our raw ADO code) sends is
/// recorded, and answered with made-up rows (<see cref="FakeResults"/>), so the store's real code paths run to the end
/// and every statement they would send to SQL Server can be read. Parameters are real <see cref="SqlParameter"/>s, as
/// the provider's type mappings expect.
/// </summary>
public sealed class RecordingConnection : DbConnection
{
    private ConnectionState _state = ConnectionState.Closed;

    public List<RecordedStatement> Statements { get; } = [];

    /// <summary>What SELECTs answer; a scenario changes it to steer the code down a branch (e.g. a large probe count).</summary>
    public FakeResults Results { get; set; } = new();

    [AllowNull]
    public override string ConnectionString { get; set; } = "Server=unused;Database=unused;TrustServerCertificate=True";

    public override string Database => "unused";

    public override string DataSource => "unused";

    public override string ServerVersion => "16.00.1000";

    public override ConnectionState State => _state;

    public override void ChangeDatabase(string databaseName)
    {
    }

    public override void Close() => _state = ConnectionState.Closed;

    public override void Open() => _state = ConnectionState.Open;

    public override Task OpenAsync(CancellationToken cancellationToken)
    {
        Open();
        return Task.CompletedTask;
    }

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => new FakeTransaction(this, isolationLevel);

    protected override DbCommand CreateDbCommand() => new RecordingCommand(this);

    private sealed class FakeTransaction(DbConnection connection, IsolationLevel isolationLevel) : DbTransaction
    {
        public override IsolationLevel IsolationLevel => isolationLevel;

        protected override DbConnection DbConnection => connection;

        public override void Commit()
        {
        }

        public override void Rollback()
        {
        }
    }
}

/// <param name="Sql">The command text exactly as it would reach the server.</param>
/// <param name="Parameters">The names of the command's parameters.</param>
public sealed record RecordedStatement(string Sql, IReadOnlyList<string> Parameters);

/// <summary>The values made-up rows carry. Strings are one value for every column, chosen so type checks in the code pass.</summary>
public sealed record FakeResults(int Rows = 3, int Count = 1, string Text = "Patient");
