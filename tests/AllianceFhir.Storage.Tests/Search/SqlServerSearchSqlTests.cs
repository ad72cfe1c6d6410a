using AllianceFhir.Core.Search;
using AllianceFhir.Storage.Search;
using AllianceFhir.Storage.SqlServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AllianceFhir.Storage.Tests.Search;

/// <summary>
/// No SQL Server engine runs here, so the search engine's SQL Server translation is checked the way the migrations
/// are: EF Core generates the query text (no connection needed) and ScriptDom must parse it as T-SQL.
/// </summary>
public sealed class SqlServerSearchSqlTests
{
    private static readonly SearchQueryParser Parser = new(new SearchParameterRegistry());

    [Theory]
    [InlineData("QuestionnaireResponse", "subject=Patient/1&_sort=-authored&_count=20")]
    [InlineData("QuestionnaireResponse", "questionnaire=http://q.example.org/wai|1.0&authored=ge2026-03&authored=lt2026-04")]
    [InlineData("Observation", "subject=Patient/1&code=http://loinc.org|x&date=ge2026&_sort=-date,code&_count=1")]
    [InlineData("Observation", "code:not=x&value-quantity=ap5||mg&component-code-value-quantity=a$gt3&code:text=abc")]
    [InlineData("Patient", "family=mül&name:contains=x&given:exact=Y&gender:missing=true&_sort=family,-birthdate")]
    [InlineData("QuestionnaireResponse", "subject:Patient.identifier=sys|1&_has:Observation:derived-from:code=x")]
    [InlineData("Patient", "_has:Observation:subject:code=x&_id=a,b&_lastUpdated=sa2026-01-01T10:00:00Z")]
    public void Search_sql_for_sql_server_parses_as_t_sql(string type, string query)
    {
        using var db = new SqlServerFhirDbContext(new DbContextOptionsBuilder<SqlServerFhirDbContext>()
            .UseSqlServer("Server=unused;Database=unused;TrustServerCertificate=True").Options);
        var parameters = query.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1]));
        var request = SearchRequest.ForType(Parser.Parse(type, parameters));

        // Both strategies: a driving IN list, and the ordered walk used for broad unsorted searches.
        foreach (var walk in new[] { false, true })
        {
            var sql = new EfSearchEngine(db, new TenantRows("default"), DateTime.UtcNow).PageQuery(request, walk).ToQueryString();

            new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
            Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Select(e => e.Message)) + Environment.NewLine + sql);
            Assert.Contains("FROM [Resources]", sql, StringComparison.Ordinal);
        }
    }
}
