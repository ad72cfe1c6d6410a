using System.Collections;
using System.Data.Common;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AllianceFhir.Storage.Tests.SqlServer;

/// <summary>
/// Rows for a command that never ran: one result set per statement that returns rows. Column values are made up from
/// the type the reader is asked for: every 64-bit integer is new (surrogate keys stay distinct), 32-bit integers are
/// the configured count (or, in the result of an INSERT/MERGE … OUTPUT, the row's position, which SaveChanges reads
/// back), strings are the configured text.
/// </summary>
internal sealed class FakeDataReader(IReadOnlyList<FakeDataReader.ResultSet> sets, FakeResults results) : DbDataReader
{
    private static long _nextKey = 1000;

    private int _set;
    private int _row = -1;

    public sealed record ResultSet(int Rows, bool IsModification);

    public static IReadOnlyList<ResultSet> ResultSetsOf(string sql, FakeResults results)
    {
        var script = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        if (errors.Count > 0 || script is not TSqlScript parsed)
        {
            return [new ResultSet(results.Rows, false)];
        }

        var sets = new List<ResultSet>();
        foreach (var statement in parsed.Batches.SelectMany(b => b.Statements))
        {
            switch (statement)
            {
                case SelectStatement { Into: null } select when select.QueryExpression is not null:
                    // An aggregate (COUNT) or a TOP(1) answers one row; EF reads either as a single value.
                    sets.Add(new ResultSet(IsAggregate(select.QueryExpression) || IsTopOne(select.QueryExpression) ? Math.Min(1, results.Rows) : results.Rows, false));
                    break;
                case InsertStatement { InsertSpecification.OutputClause: not null } insert:
                    sets.Add(new ResultSet(insert.InsertSpecification.InsertSource is ValuesInsertSource v ? v.RowValues.Count : 1, true));
                    break;
                case MergeStatement { MergeSpecification.OutputClause: not null } merge:
                    sets.Add(new ResultSet(merge.MergeSpecification.TableReference is QueryDerivedTable or InlineDerivedTable
                        ? RowsOf(merge.MergeSpecification.TableReference)
                        : 1, true));
                    break;
            }
        }

        return sets;
    }

    private static bool IsAggregate(QueryExpression query) =>
        query is QuerySpecification { SelectElements: [SelectScalarExpression { Expression: FunctionCall call }], GroupByClause: null }
        && call.FunctionName.Value.ToUpperInvariant() is "COUNT" or "COUNT_BIG" or "MAX" or "MIN" or "SUM";

    private static bool IsTopOne(QueryExpression query)
    {
        var top = (query as QuerySpecification)?.TopRowFilter?.Expression;
        while (top is ParenthesisExpression parenthesis)
        {
            top = parenthesis.Expression;
        }

        return top is IntegerLiteral { Value: "1" };
    }

    private static int RowsOf(TableReference source) => source switch
    {
        InlineDerivedTable inline => inline.RowValues.Count,
        _ => 1,
    };

    private ResultSet Current => _set < sets.Count ? sets[_set] : new ResultSet(0, false);

    public override int FieldCount => 64;

    public override int RecordsAffected => sets.Where(s => s.IsModification).Sum(s => s.Rows);

    public override bool HasRows => Current.Rows > 0;

    public override bool IsClosed => false;

    public override int Depth => 0;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => results.Text;

    public override bool Read() => ++_row < Current.Rows;

    public override bool NextResult()
    {
        _row = -1;
        return ++_set < sets.Count;
    }

    public override bool IsDBNull(int ordinal) => false;

    public override long GetInt64(int ordinal) => Interlocked.Increment(ref _nextKey);

    public override int GetInt32(int ordinal) => Current.IsModification ? _row : results.Count;

    public override short GetInt16(int ordinal) => (short)GetInt32(ordinal);

    public override byte GetByte(int ordinal) => 1;

    public override bool GetBoolean(int ordinal) => false;

    public override DateTime GetDateTime(int ordinal) => new(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);

    public override decimal GetDecimal(int ordinal) => 30m;

    public override double GetDouble(int ordinal) => 30d;

    public override float GetFloat(int ordinal) => 30f;

    public override Guid GetGuid(int ordinal) => Guid.Empty;

    public override string GetString(int ordinal) => results.Text;

    public override char GetChar(int ordinal) => results.Text[0];

    public override object GetValue(int ordinal) => results.Text;

    public override T GetFieldValue<T>(int ordinal)
    {
        object value = typeof(T) switch
        {
            var t when t == typeof(long) => GetInt64(ordinal),
            var t when t == typeof(int) => GetInt32(ordinal),
            var t when t == typeof(short) => GetInt16(ordinal),
            var t when t == typeof(bool) => GetBoolean(ordinal),
            var t when t == typeof(DateTime) => GetDateTime(ordinal),
            var t when t == typeof(DateTimeOffset) => new DateTimeOffset(GetDateTime(ordinal)),
            var t when t == typeof(double) => GetDouble(ordinal),
            var t when t == typeof(decimal) => GetDecimal(ordinal),
            var t when t == typeof(Guid) => GetGuid(ordinal),
            var t when t == typeof(byte[]) => Array.Empty<byte>(),
            _ => GetString(ordinal),
        };
        return (T)value;
    }

    public override int GetValues(object[] values)
    {
        Array.Fill(values, results.Text);
        return values.Length;
    }

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => 0;

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => 0;

    public override string GetDataTypeName(int ordinal) => "nvarchar";

    public override Type GetFieldType(int ordinal) => typeof(object);

    public override string GetName(int ordinal) => $"c{ordinal}";

    public override int GetOrdinal(string name) => 0;

    public override IEnumerator GetEnumerator() => Array.Empty<object>().GetEnumerator();
}
