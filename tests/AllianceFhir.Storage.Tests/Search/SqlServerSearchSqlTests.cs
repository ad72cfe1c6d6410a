using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
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
    private static readonly SearchParameterRegistry Registry = new();
    private static readonly SearchQueryParser Parser = new(Registry);

    [Theory]
    [InlineData("QuestionnaireResponse", "subject=Patient/1&_sort=-authored&_count=20")]
    [InlineData("QuestionnaireResponse", "questionnaire=http://q.example.org/wai|1.0&authored=ge2026-03&authored=lt2026-04")]
    [InlineData("Observation", "subject=Patient/1&code=http://loinc.org|x&date=ge2026&_sort=-date,code&_count=1")]
    [InlineData("Observation", "code:not=x&value-quantity=ap5||mg&component-code-value-quantity=a$gt3&code:text=abc")]
    [InlineData("Patient", "family=mül&name:contains=x&given:exact=Y&gender:missing=true&_sort=family,-birthdate")]
    [InlineData("QuestionnaireResponse", "subject:Patient.identifier=sys|1&_has:Observation:derived-from:code=x")]
    [InlineData("Patient", "_has:Observation:subject:code=x&_id=a,b&_lastUpdated=sa2026-01-01T10:00:00Z")]
    public void Search_sql_for_sql_server_parses_as_t_sql(string type, string query) =>
        AssertParsesAsTSql(SearchRequest.ForType(Parser.Parse(type, Parameters(query))));

    /// <summary>
    /// Under a patient/ scope the policy ANDs in the compartment: any of the type's membership parameters (an OR across
    /// parameters, a UNION of index lookups), also inside chains; SQL Server must get the same translation as SQLite.
    /// </summary>
    [Theory]
    [InlineData("Observation", "code=x&_sort=-date")]
    [InlineData("Observation", "has-member:Observation.code=x")]
    [InlineData("QuestionnaireResponse", "status=completed")]
    [InlineData("Patient", "family=x&_has:Observation:performer:code=y")]
    public void Compartment_restricted_search_sql_for_sql_server_parses_as_t_sql(string type, string query)
    {
        var indexer = new SearchIndexer(Registry);
        var policy = new AccessPolicy(new PatientCompartment(indexer), Registry, indexer);
        var caller = new AccessContext("sub", "client", SmartScope.ParseAll(["patient/*.rs"]), "default", "p1");

        var restricted = policy.AuthorizeSearch(caller, Parser.Parse(type, Parameters(query)));

        Assert.Contains(restricted.Criteria, c => c is AnyOfCriterion || (c is ChainedCriterion { Inner: AnyOfCriterion }));
        AssertParsesAsTSql(SearchRequest.ForType(restricted));
    }

    private static IEnumerable<KeyValuePair<string, string>> Parameters(string query) =>
        query.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1]));

    private static void AssertParsesAsTSql(SearchRequest request)
    {
        using var db = new SqlServerFhirDbContext(new DbContextOptionsBuilder<SqlServerFhirDbContext>()
            .UseSqlServer("Server=unused;Database=unused;TrustServerCertificate=True").Options);

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
