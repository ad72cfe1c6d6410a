using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Instruments;

public class InstrumentOperationTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task CreatePatientAsync(string id)
    {
        using var created = await _client.PutAsync($"/fhir/Patient/{id}", new Patient { Id = id });
        Assert.True(created.IsSuccessStatusCode, $"PUT Patient/{id}: {(int)created.StatusCode}");
    }

    private async Task<int> CountAsync(string query) =>
        (await (await _client.GetAsync(query)).ReadAsAsync<Bundle>()).Entry.Count(e => e.Search?.Mode == Bundle.SearchEntryMode.Match);

    [Fact]
    public async Task Validate_reports_errors_with_200_and_stores_nothing()
    {
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var response = InstrumentResponses.Decimals(srs, "op-1", 5m, 5m, 12m, 5m);

        using var result = await _client.PostAsync("/fhir/QuestionnaireResponse/$validate", response);

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var outcome = await result.ReadAsAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
        Assert.Equal(0, await CountAsync("/fhir/QuestionnaireResponse?subject=Patient/op-1"));
    }

    [Fact]
    public async Task Validate_accepts_a_parameters_body_and_says_valid()
    {
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var parameters = new Parameters();
        parameters.Add("resource", InstrumentResponses.Decimals(srs, "op-2", 5m, 5m, 5m, 5m));

        using var result = await _client.PostAsync("/fhir/QuestionnaireResponse/$validate", parameters);

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.DoesNotContain((await result.ReadAsAsync<OperationOutcome>()).Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
    }

    [Fact]
    public async Task Extract_returns_a_transaction_bundle_and_stores_nothing()
    {
        var waiSr = await InstrumentResponses.FetchAsync(_client, "wai-sr");
        var response = InstrumentResponses.Choices(waiSr, "op-3", 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4);

        using var result = await _client.PostAsync("/fhir/QuestionnaireResponse/$extract", response);

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var bundle = await result.ReadAsAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.Transaction, bundle.Type);
        Assert.Equal(4, bundle.Entry.Count);
        Assert.All(bundle.Entry, e => Assert.Equal(Bundle.HTTPVerb.POST, e.Request?.Method));
        Assert.Contains(bundle.Entry, e => e.Resource is Observation { Value: Quantity { Value: 60m } or Integer { Value: 60 } });
        Assert.Equal(0, await CountAsync("/fhir/Observation?subject=Patient/op-3"));
    }

    [Fact]
    public async Task Extract_of_a_stored_response_uses_its_reference()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "op-4");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(srs, "op-4", 9m, 9m, 9m, 9m));
        var id = (await created.ReadAsAsync<QuestionnaireResponse>()).Id;

        using var result = await _client.PostAsync($"/fhir/QuestionnaireResponse/{id}/$extract", new StringContent(string.Empty));

        var bundle = await result.ReadAsAsync<Bundle>();
        Assert.NotEmpty(bundle.Entry);
        Assert.All(bundle.Entry, e => Assert.Equal($"QuestionnaireResponse/{id}", Assert.IsType<Observation>(e.Resource).DerivedFrom.Single().Reference));
    }

    [Fact]
    public async Task Populate_returns_an_in_progress_skeleton_for_the_subject()
    {
        await CreatePatientAsync("op-5");

        using var result = await _client.GetAsync("/fhir/Questionnaire/wai-sr/$populate?subject=Patient/op-5");

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var parameters = await result.ReadAsAsync<Parameters>();
        var response = Assert.IsType<QuestionnaireResponse>(parameters.Parameter.Single(p => p.Name == "response").Resource);
        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.InProgress, response.Status);
        Assert.Equal("Patient/op-5", response.Subject?.Reference);
        Assert.StartsWith("http://alliancefhir.org/fhir/Questionnaire/wai-sr", response.Questionnaire, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Populate_without_a_subject_is_400()
    {
        using var result = await _client.GetAsync("/fhir/Questionnaire/wai-sr/$populate");

        Assert.Equal(HttpStatusCode.BadRequest, result.StatusCode);
    }

    [Fact]
    public async Task Catalog_is_served_and_the_score_code_system_too()
    {
        var bundle = await (await _client.GetAsync("/fhir/Questionnaire?status=active&_count=50")).ReadAsAsync<Bundle>();
        using var codeSystem = await _client.GetAsync("/fhir/CodeSystem/alliance-score");

        var ids = bundle.Entry.Select(e => e.Resource?.Id).ToHashSet();
        Assert.Superset(new HashSet<string?> { "wai-sr", "srs", "ors", "haq-ii" }, ids);
        Assert.DoesNotContain("trc-5", ids); // a demonstration instrument: draft, and only with Instruments:Demo
        Assert.Equal(HttpStatusCode.OK, codeSystem.StatusCode);
    }
}
