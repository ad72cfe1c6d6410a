using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Http;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>Issue 9: 500 alternatives made SQLite refuse the statement ("Expression tree is too large"), a 500.</summary>
public sealed class SearchValueLimitTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private static string Names(int count) => string.Join(',', Enumerable.Range(0, count).Select(i => $"a{i}"));

    [Theory]
    [InlineData("/fhir/Patient?name={0}")]
    [InlineData("/fhir/Observation?subject:Patient.name={0}")]
    [InlineData("/fhir/Patient?_has:Observation:subject:code={0}")]
    public async Task More_values_than_the_limit_are_400_naming_it(string template)
    {
        using var response = await _client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Names(500)));

        var outcome = await response.AssertRefusedAsync(_client, $"more than {SearchQuery.MaxValues} values");
        Assert.Equal(OperationOutcome.IssueType.TooCostly, outcome.Issue[0].Code);
    }

    [Theory]
    [InlineData("/fhir/Patient?name={0}")]
    [InlineData("/fhir/Observation?subject:Patient.general-practitioner:Practitioner.name={0}")]
    [InlineData("/fhir/Patient?_has:Observation:subject:code={0}")]
    public async Task The_limit_itself_is_searchable(string template)
    {
        using var response = await _client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Names(SearchQuery.MaxValues)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Repeated_parameters_count_toward_the_limit()
    {
        var query = string.Join('&', Enumerable.Range(0, SearchQuery.MaxValues + 1).Select(i => $"name=a{i}"));

        using var response = await _client.PostAsync("/fhir/Patient/_search", new StringContent(query, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        await response.AssertRefusedAsync(_client, $"more than {SearchQuery.MaxValues} values");
    }

    [Fact]
    public async Task A_batch_GET_entry_over_the_limit_fails_alone()
    {
        var bundle = BundleBuilder.Batch().Get($"Patient?name={Names(500)}").Get("Patient?name=a0").Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(["400 Bad Request", "200 OK"], result.Entry.Select(e => e.Response!.Status));
        Assert.Contains($"more than {SearchQuery.MaxValues} values", Assert.IsType<OperationOutcome>(result.Entry[0].Response!.Outcome).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_conditional_create_over_the_limit_is_400_and_creates_nothing()
    {
        var before = await _client.StoredVersionsAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn(Clinical.NewMrn())) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", $"name={Names(500)}");

        using var response = await _client.SendAsync(request);

        await response.AssertRefusedAsync(_client, $"more than {SearchQuery.MaxValues} values");
        Assert.Equal(before, await _client.StoredVersionsAsync());
    }
}
