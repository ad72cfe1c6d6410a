using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

public sealed class ReferenceSearchTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    [Fact]
    public async Task Reference_by_type_and_id_by_bare_id_and_with_a_type_modifier()
    {
        var patient = await _client.CreateAsync(SearchData.Patient("Ref"));
        var response = await _client.CreateAsync(SearchData.Response(patient.Id, "http://example.org/q", "2026-03-01"));

        Assert.Equal([response.Id], await _client.IdsAsync($"/fhir/QuestionnaireResponse?subject=Patient/{patient.Id}"));
        Assert.Equal([response.Id], await _client.IdsAsync($"/fhir/QuestionnaireResponse?subject:Patient={patient.Id}"));
        Assert.Equal([response.Id], await _client.IdsAsync($"/fhir/QuestionnaireResponse?subject={patient.Id}"));
        Assert.Equal([response.Id], await _client.IdsAsync($"/fhir/QuestionnaireResponse?patient={patient.Id}"));
        Assert.Empty(await _client.IdsAsync($"/fhir/QuestionnaireResponse?subject=Group/{patient.Id}"));
    }

    [Fact]
    public async Task Absolute_reference_urls_match_by_url()
    {
        var url = $"http://other.example.org/fhir/Patient/{SearchClient.Unique()}";
        var observation = await _client.CreateAsync(new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(SearchData.Loinc, "x"),
            Subject = new ResourceReference(url),
        });

        Assert.Equal([observation.Id], await _client.IdsAsync($"/fhir/Observation?subject={Uri.EscapeDataString(url)}"));
    }

    [Fact]
    public async Task Identifier_modifier_matches_the_reference_identifier()
    {
        var mrn = SearchClient.Unique("mrn");
        var observation = await _client.CreateAsync(new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(SearchData.Loinc, "x"),
            Subject = new ResourceReference { Identifier = new Identifier("http://clinic.example.org/mrn", mrn) },
        });

        Assert.Equal([observation.Id], await _client.IdsAsync($"/fhir/Observation?subject:identifier=http://clinic.example.org/mrn|{mrn}"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Observation?subject:identifier=http://other.org|{mrn}"));
    }

    [Fact]
    public async Task Canonical_questionnaire_matches_every_version_or_only_the_named_one()
    {
        var url = $"http://alliance.example.org/Questionnaire/{SearchClient.Unique()}";
        var v1 = await _client.CreateAsync(SearchData.Response("p", $"{url}|1.0.0", "2026-03-01"));
        var v2 = await _client.CreateAsync(SearchData.Response("p", $"{url}|2.0.0", "2026-03-01"));
        var unversioned = await _client.CreateAsync(SearchData.Response("p", url, "2026-03-01"));

        Assert.Equal([v1.Id, v2.Id, unversioned.Id], await _client.IdsAsync($"/fhir/QuestionnaireResponse?questionnaire={url}"));
        Assert.Equal([v1.Id], await _client.IdsAsync($"/fhir/QuestionnaireResponse?questionnaire={url}|1.0.0"));
    }

    [Fact]
    public async Task Uri_parameters_match_with_and_without_version()
    {
        var url = $"http://alliance.example.org/Questionnaire/{SearchClient.Unique()}";
        var questionnaire = await _client.CreateAsync(new Questionnaire { Url = url, Version = "3.1", Status = PublicationStatus.Active });

        Assert.Equal([questionnaire.Id], await _client.IdsAsync($"/fhir/Questionnaire?url={url}"));
        Assert.Equal([questionnaire.Id], await _client.IdsAsync($"/fhir/Questionnaire?url={url}&version=3.1"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Questionnaire?url={url}x"));
    }

    [Fact]
    public async Task Chained_parameters_follow_the_reference()
    {
        var mrn = SearchClient.Unique("mrn");
        var patient = await _client.CreateAsync(SearchData.Patient("Chain", mrn: mrn));
        var other = await _client.CreateAsync(SearchData.Patient("Chain", mrn: SearchClient.Unique("mrn")));
        var mine = await _client.CreateAsync(SearchData.Response(patient.Id, "http://example.org/q", "2026-03-01"));
        await _client.CreateAsync(SearchData.Response(other.Id, "http://example.org/q", "2026-03-01"));

        Assert.Equal([mine.Id], await _client.IdsAsync($"/fhir/QuestionnaireResponse?subject:Patient.identifier=http://clinic.example.org/mrn|{mrn}"));
        Assert.Equal([mine.Id], await _client.IdsAsync($"/fhir/QuestionnaireResponse?patient.identifier={mrn}"));
    }

    [Fact]
    public async Task Reverse_chains_select_resources_that_others_point_at()
    {
        var code = SearchClient.Unique("c");
        var withObservation = await _client.CreateAsync(SearchData.Patient("Has"));
        var without = await _client.CreateAsync(SearchData.Patient("Has"));
        await _client.CreateAsync(SearchData.Observation(withObservation.Id, SearchData.Loinc, code, "2026-01-01"));
        await _client.CreateAsync(SearchData.Observation(without.Id, SearchData.Loinc, "other", "2026-01-01"));

        Assert.Equal([withObservation.Id], await _client.IdsAsync($"/fhir/Patient?_has:Observation:subject:code={code}"));
        Assert.Equal([withObservation.Id], await _client.IdsAsync($"/fhir/Patient?_has:Observation:patient:code={SearchData.Loinc}|{code}"));
    }
}
