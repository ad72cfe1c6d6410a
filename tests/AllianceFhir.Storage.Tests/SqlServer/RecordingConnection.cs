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

internal sealed class RecordingCommand(RecordingConnection connection) : DbCommand
{
    private readonly SqlParameterCollectionWrapper _parameters = new();

    [AllowNull]
    public override string CommandText { get; set; } = string.Empty;

    public override int CommandTimeout { get; set; } = 30;

    public override CommandType CommandType { get; set; } = CommandType.Text;

    public override bool DesignTimeVisible { get; set; }

    public override UpdateRowSource UpdatedRowSource { get; set; }

    protected override DbConnection? DbConnection { get; set; } = connection;

    protected override DbParameterCollection DbParameterCollection => _parameters;

    protected override DbTransaction? DbTransaction { get; set; }

    public override void Cancel()
    {
    }

    public override int ExecuteNonQuery()
    {
        Record();
        return Math.Max(1, FakeDataReader.ResultSetsOf(CommandText, connection.Results).Sum(s => s.Rows));
    }

    public override object? ExecuteScalar()
    {
        Record();
        return connection.Results.Count;
    }

    public override void Prepare()
    {
    }

    protected override DbParameter CreateDbParameter() => new SqlParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
    {
        Record();
        return new FakeDataReader(FakeDataReader.ResultSetsOf(CommandText, connection.Results), connection.Results);
    }

    private void Record() =>
        connection.Statements.Add(new RecordedStatement(CommandText, [.. _parameters.Cast<DbParameter>().Select(p => p.ParameterName)]));

    /// <summary>A parameter list; SqlParameterCollection has no public constructor.</summary>
    private sealed class SqlParameterCollectionWrapper : DbParameterCollection
    {
        private readonly List<DbParameter> _items = [];

        public override int Count => _items.Count;

        public override object SyncRoot => _items;

        public override int Add(object value)
        {
            _items.Add((DbParameter)value);
            return _items.Count - 1;
        }

        public override void AddRange(Array values)
        {
            foreach (var value in values)
            {
                Add(value);
            }
        }

        public override void Clear() => _items.Clear();

        public override bool Contains(object value) => _items.Contains((DbParameter)value);

        public override bool Contains(string value) => IndexOf(value) >= 0;

        public override void CopyTo(Array array, int index) => ((System.Collections.ICollection)_items).CopyTo(array, index);

        public override System.Collections.IEnumerator GetEnumerator() => _items.GetEnumerator();

        public override int IndexOf(object value) => _items.IndexOf((DbParameter)value);

        public override int IndexOf(string parameterName) => _items.FindIndex(p => p.ParameterName == parameterName);

        public override void Insert(int index, object value) => _items.Insert(index, (DbParameter)value);

        public override void Remove(object value) => _items.Remove((DbParameter)value);

        public override void RemoveAt(int index) => _items.RemoveAt(index);

        public override void RemoveAt(string parameterName) => _items.RemoveAt(IndexOf(parameterName));

        protected override DbParameter GetParameter(int index) => _items[index];

        protected override DbParameter GetParameter(string parameterName) => _items[IndexOf(parameterName)];

        protected override void SetParameter(int index, DbParameter value) => _items[index] = value;

        protected override void SetParameter(string parameterName, DbParameter value) => _items[IndexOf(parameterName)] = value;
    }
}
