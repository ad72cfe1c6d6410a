using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>Lenient and strict handling, self links, whole-system search and the CapabilityStatement.</summary>
public sealed class SearchHandlingTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    [Fact]
    public async Task Unknown_parameters_are_ignored_and_reported_by_default()
    {
        var patient = await _client.CreateAsync(SearchData.Patient(SearchClient.Unique("F")));

        var bundle = await _client.SearchAsync($"/fhir/Patient?_id={patient.Id}&shoe-size=42&name:below=x");

        Assert.Equal([patient.Id], SearchClient.MatchIds(bundle));
        var outcome = Assert.IsType<OperationOutcome>(bundle.Entry.Single(e => e.Search?.Mode == Bundle.SearchEntryMode.Outcome).Resource);
        Assert.Contains(outcome.Issue, i => i.Diagnostics!.Contains("shoe-size", StringComparison.Ordinal));
        Assert.Contains(outcome.Issue, i => i.Diagnostics!.Contains("name:below", StringComparison.Ordinal));

        var self = SearchClient.Link(bundle, "self")!;
        Assert.Contains($"_id={patient.Id}", self, StringComparison.Ordinal);
        Assert.DoesNotContain("shoe-size", self, StringComparison.Ordinal);
        Assert.DoesNotContain("below", self, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strict_handling_rejects_unknown_parameters()
    {
        using var response = await _client.GetAsync("/fhir/Patient?shoe-size=42", prefer: "handling=strict");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Diagnostics!.Contains("shoe-size", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Strict_handling_accepts_a_fully_supported_search()
    {
        var bundle = await _client.SearchAsync("/fhir/Patient?family=x&_count=1", prefer: "handling=strict");

        Assert.DoesNotContain(bundle.Entry, e => e.Search?.Mode == Bundle.SearchEntryMode.Outcome);
    }

    [Fact]
    public async Task Malformed_values_are_rejected_in_strict_mode_too()
    {
        using var response = await _client.GetAsync("/fhir/Patient?birthdate=zz2020", prefer: "handling=strict");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Whole_system_search_runs_over_the_named_types()
    {
        var patient = await _client.CreateAsync(SearchData.Patient(SearchClient.Unique("F")));
        var observation = await _client.CreateAsync(SearchData.Observation(patient.Id, SearchData.Loinc, "x", "2026-01-01"));

        var bundle = await _client.SearchAsync($"/fhir?_type=Patient,Observation&_id={patient.Id},{observation.Id}");

        Assert.Equal(
            [$"Patient/{patient.Id}", $"Observation/{observation.Id}"],
            bundle.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => $"{e.Resource!.TypeName}/{e.Resource.Id}"));
        Assert.Empty(await _client.IdsAsync($"/fhir?_type=Observation&_id={patient.Id}"));
    }

    [Fact]
    public async Task Whole_system_search_reports_type_specific_parameters()
    {
        var bundle = await _client.SearchAsync("/fhir?_type=Patient&family=x&_count=1");

        Assert.Contains(bundle.Entry, e => e.Search?.Mode == Bundle.SearchEntryMode.Outcome);
    }

    [Fact]
    public async Task Conditional_create_uses_the_search_engine()
    {
        var mrn = SearchClient.Unique("mrn");
        var first = await _client.CreateAsync(SearchData.Patient("Cond", mrn: mrn));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(SearchData.Patient("Cond", mrn: mrn)) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", $"identifier=http://clinic.example.org/mrn|{mrn}&family=co");
        using var response = await _client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(first.Id, (await response.ReadAsAsync<Patient>()).Id);
    }

    [Fact]
    public async Task Conditional_create_rejects_a_condition_it_cannot_apply()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(SearchData.Patient("Cond")) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", "shoe-size=42");
        using var response = await _client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Capability_statement_lists_search_parameters_per_type()
    {
        using var response = await _client.Http.GetAsync("/fhir/metadata");
        var capabilities = await response.ReadAsAsync<CapabilityStatement>();
        var questionnaireResponse = capabilities.Rest[0].Resource.Single(r => r.Type == "QuestionnaireResponse");

        var subject = Assert.Single(questionnaireResponse.SearchParam, p => p.Name == "subject");
        Assert.Equal(SearchParamType.Reference, subject.Type);
        Assert.Equal("http://hl7.org/fhir/SearchParameter/QuestionnaireResponse-subject", subject.Definition);
        Assert.False(string.IsNullOrEmpty(subject.Documentation));
        Assert.Contains(questionnaireResponse.SearchParam, p => p.Name == "authored" && p.Type == SearchParamType.Date);
        Assert.Contains(questionnaireResponse.SearchParam, p => p.Name == "_lastUpdated");
        Assert.Contains("QuestionnaireResponse:subject", questionnaireResponse.SearchInclude);
    }
}
