using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

public sealed class IncludeTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    private static List<string> Included(Bundle bundle) =>
        [.. bundle.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Include).Select(e => $"{e.Resource!.TypeName}/{e.Resource.Id}")];

    [Fact]
    public async Task Include_brings_the_referenced_patient_once()
    {
        var code = SearchClient.Unique("c");
        var patient = await _client.CreateAsync(SearchData.Patient("Inc"));
        await _client.CreateAsync(SearchData.Observation(patient.Id, SearchData.Loinc, code, "2026-01-01"));
        await _client.CreateAsync(SearchData.Observation(patient.Id, SearchData.Loinc, code, "2026-01-02"));

        var bundle = await _client.SearchAsync($"/fhir/Observation?code={code}&_include=Observation:subject");

        Assert.Equal(2, SearchClient.MatchIds(bundle).Count);
        Assert.Equal([$"Patient/{patient.Id}"], Included(bundle));
        Assert.Equal(2, bundle.Total);
    }

    [Fact]
    public async Task Include_with_a_target_type_filters_the_targets()
    {
        var code = SearchClient.Unique("c");
        var patient = await _client.CreateAsync(SearchData.Patient("Inc"));
        await _client.CreateAsync(SearchData.Observation(patient.Id, SearchData.Loinc, code, "2026-01-01"));

        Assert.Single(Included(await _client.SearchAsync($"/fhir/Observation?code={code}&_include=Observation:subject:Patient")));
        Assert.Empty(Included(await _client.SearchAsync($"/fhir/Observation?code={code}&_include=Observation:subject:Group")));
    }

    [Fact]
    public async Task Revinclude_brings_the_resources_that_point_at_the_matches()
    {
        var patient = await _client.CreateAsync(SearchData.Patient(SearchClient.Unique("Rev")));
        var first = await _client.CreateAsync(SearchData.Response(patient.Id, "http://example.org/q", "2026-03-01"));
        var second = await _client.CreateAsync(SearchData.Response(patient.Id, "http://example.org/q", "2026-03-02"));

        var bundle = await _client.SearchAsync($"/fhir/Patient?_id={patient.Id}&_revinclude=QuestionnaireResponse:subject");

        Assert.Equal([patient.Id], SearchClient.MatchIds(bundle));
        Assert.Equal(
            new[] { $"QuestionnaireResponse/{first.Id}", $"QuestionnaireResponse/{second.Id}" }.Order(StringComparer.Ordinal),
            Included(bundle).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Include_follows_a_canonical_to_the_questionnaire_version()
    {
        var url = $"http://alliance.example.org/Questionnaire/{SearchClient.Unique()}";
        var v1 = await _client.CreateAsync(new Questionnaire { Url = url, Version = "1.0.0", Status = PublicationStatus.Active });
        await _client.CreateAsync(new Questionnaire { Url = url, Version = "2.0.0", Status = PublicationStatus.Active });
        var response = await _client.CreateAsync(SearchData.Response("p", $"{url}|1.0.0", "2026-03-01"));

        var bundle = await _client.SearchAsync($"/fhir/QuestionnaireResponse?_id={response.Id}&_include=QuestionnaireResponse:questionnaire");

        Assert.Equal([$"Questionnaire/{v1.Id}"], Included(bundle));
    }

    [Fact]
    public async Task Iterate_continues_from_included_resources()
    {
        var organization = await _client.CreateAsync(new Organization { Name = SearchClient.Unique("Org") });
        var patient = await _client.CreateAsync(new Patient { ManagingOrganization = new ResourceReference($"Organization/{organization.Id}") });
        var code = SearchClient.Unique("c");
        await _client.CreateAsync(SearchData.Observation(patient.Id, SearchData.Loinc, code, "2026-01-01"));

        var once = await _client.SearchAsync($"/fhir/Observation?code={code}&_include=Observation:subject&_include=Patient:organization");
        var iterated = await _client.SearchAsync($"/fhir/Observation?code={code}&_include=Observation:subject&_include:iterate=Patient:organization");

        Assert.Equal([$"Patient/{patient.Id}"], Included(once));
        Assert.Equal([$"Patient/{patient.Id}", $"Organization/{organization.Id}"], Included(iterated));
    }
}
