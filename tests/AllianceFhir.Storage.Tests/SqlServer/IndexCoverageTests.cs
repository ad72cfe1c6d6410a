using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AllianceFhir.Storage.Tests.SqlServer;

/// <summary>
/// The judge of <see cref="SqlServerStatementTests"/> on statements written by hand against the current SQL Server
/// model, so it is known to fail where it must: the shapes test passing means something only if these do.
/// </summary>
public sealed class IndexCoverageTests
{
    private static readonly IndexCoverage Coverage = new(SqlServerHarness.Model());

    [Theory]
    // No index starts with the column.
    [InlineData("SELECT [t].[Id] FROM [TokenIndex] AS [t] WHERE [t].[Text] = @text")]
    // A seek on the parameter, but the code system is indexed and left to a scan of the parameter's rows.
    [InlineData("SELECT [t].[Id] FROM [TokenIndex] AS [t] WHERE [t].[ParamKey] = @k AND [t].[System] = @s")]
    // An OR fixes only what both branches fix: here nothing the lookup index starts with.
    [InlineData("SELECT [r].[Id] FROM [ReferenceIndex] AS [r] WHERE [r].[ParamKey] = @k OR [r].[TargetId] = @b")]
    // The text columns stay in the row, but the lookup indexes start with the parameter's 64-bit key.
    [InlineData("SELECT [t].[Id] FROM [TokenIndex] AS [t] WHERE [t].[TenantId] = @a AND [t].[ResourceType] = @b AND [t].[ParamName] = @c AND [t].[Code] = @d")]
    // The filtered current-row index needs IsHistory = 0 from the query; without it only the version index helps, and
    // it does not start with ResourceId.
    [InlineData("SELECT [r].[Json] FROM [Resources] AS [r] WHERE [r].[ResourceId] = @id")]
    // A join on a column no index of the joined table starts with.
    [InlineData("SELECT [r].[Json] FROM [Resources] AS [r] INNER JOIN [TokenIndex] AS [t] ON [r].[ResourceId] = [t].[Code] WHERE [r].[Surrogate] = @s")]
    public void Unserved_accesses_are_named(string sql)
    {
        var gaps = Judge(sql).Where(v => !v.Verdict.Served).ToList();

        Assert.NotEmpty(gaps);
        Assert.All(gaps, g => Assert.False(string.IsNullOrEmpty(g.Verdict.Explanation)));
    }

    [Theory]
    [InlineData("SELECT [t].[Id] FROM [TokenIndex] AS [t] WHERE [t].[ParamKey] = @k AND [t].[Code] = @d")]
    // A correlated subquery gets the outer row's value: a per-resource seek.
    [InlineData("SELECT [r].[Json] FROM [Resources] AS [r] WHERE [r].[Surrogate] = @s AND EXISTS (SELECT 1 FROM [DateIndex] AS [d] WHERE [d].[ParamName] = @p AND [d].[ResourceSurrogate] = [r].[Surrogate])")]
    [InlineData("SELECT [r].[Json] FROM [Resources] AS [r] WHERE ([r].[TenantId] = @a OR [r].[TenantId] = @b) AND [r].[ResourceType] = @t AND [r].[ResourceId] = @id AND [r].[IsHistory] = CAST(0 AS bit)")]
    [InlineData("DELETE FROM [t] FROM [TokenIndex] AS [t] WHERE [t].[ResourceSurrogate] = @s")]
    public void Served_accesses_pass(string sql)
    {
        var verdicts = Judge(sql);

        Assert.NotEmpty(verdicts);
        Assert.All(verdicts, v => Assert.True(v.Verdict.Served, $"{v.Access.Table}: {v.Verdict.Explanation}"));
    }

    private static List<(TableAccess Access, IndexCoverage.Verdict Verdict)> Judge(string sql)
    {
        var script = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        Assert.Empty(errors);
        return [.. TableAccesses.In(script).Select(a => (a, Coverage.Judge(a)))];
    }
}
