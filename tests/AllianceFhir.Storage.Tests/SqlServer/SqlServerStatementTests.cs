using Microsoft.SqlServer.TransactSql.ScriptDom;
using Xunit.Abstractions;

namespace AllianceFhir.Storage.Tests.SqlServer;

/// <summary>
/// No SQL Server engine runs here, so what can be proven without one is proven on the text: every statement the store
/// sends to SQL Server, across <see cref="QueryShapes"/>, must parse as T-SQL, and every table it reads, updates or
/// deletes from must be reachable through an index of the SQL Server model.
/// </summary>
public sealed class SqlServerStatementTests(ITestOutputHelper output)
{
    private static readonly IndexCoverage Coverage = new(SqlServerHarness.Model());

    public static IEnumerable<object[]> Shapes => QueryShapes.Names;

    /// <summary>
    /// Scans of one parameter's rows that are accepted, each for its reason. Keep this list short: every entry is a
    /// search that reads every index row of its parameter in the tenant.
    /// </summary>
    private static readonly (string Shape, string Table, string Reason)[] Accepted =
    [
        ("Patient?identifier=http://clinic.example.org/mrn|", "TokenIndex",
            "a system without a code (R4 [parameter]=[system]|) matches most rows of its parameter, so a seek on the system "
            + "would read nearly the same range; an index led by it would cost every write of every token row"),
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Statements_parse_as_t_sql(string shape)
    {
        var statements = await QueryShapes.RunAsync(shape);

        Assert.NotEmpty(statements);
        foreach (var statement in statements)
        {
            Parse(statement.Sql);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Every_table_access_seeks_an_index(string shape)
    {
        var statements = await QueryShapes.RunAsync(shape);

        var gaps = new List<string>();
        var accesses = 0;
        foreach (var statement in statements)
        {
            output.WriteLine(statement.Sql);
            foreach (var access in TableAccesses.In(Parse(statement.Sql)))
            {
                accesses++;
                var verdict = Coverage.Judge(access);
                output.WriteLine($"  -> {access.Table} AS {access.Alias}: {verdict.Explanation}");
                if (!verdict.Served && !Accepted.Any(a => a.Shape == shape && a.Table == access.Table))
                {
                    gaps.Add($"{access.Table} AS {access.Alias}: {verdict.Explanation}{Environment.NewLine}  in: {statement.Sql}");
                }
            }
        }

        Assert.True(gaps.Count == 0, $"'{shape}' reaches tables without an index to seek:{Environment.NewLine}{string.Join(Environment.NewLine, gaps)}");
        Assert.True(accesses > 0 || statements.Any(s => s.Sql.Contains("INSERT", StringComparison.Ordinal)), $"'{shape}' read no table");
    }

    private static TSqlFragment Parse(string sql)
    {
        var script = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Select(e => $"line {e.Line}: {e.Message}")) + Environment.NewLine + sql);
        return script;
    }
}
