using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

public sealed class TokenSearchTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    [Fact]
    public async Task Code_system_and_code_and_no_system_forms_select_the_right_codings()
    {
        var (code, system) = (SearchClient.Unique("c"), "http://example.org/" + SearchClient.Unique("s"));
        var withSystem = await _client.CreateAsync(SearchData.Observation("p1", system, code, "2026-01-01"));
        var otherSystem = await _client.CreateAsync(SearchData.Observation("p1", "http://other.example.org", code, "2026-01-01"));
        var noSystem = await _client.CreateAsync(new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept { Coding = [new Coding { Code = code }] },
        });

        Assert.Equal([withSystem.Id, otherSystem.Id, noSystem.Id], await _client.IdsAsync($"/fhir/Observation?code={code}"));
        Assert.Equal([withSystem.Id], await _client.IdsAsync($"/fhir/Observation?code={system}|{code}"));
        Assert.Equal([noSystem.Id], await _client.IdsAsync($"/fhir/Observation?code=|{code}"));
        Assert.Contains(withSystem.Id, await _client.IdsAsync($"/fhir/Observation?code={system}|"));
        Assert.DoesNotContain(otherSystem.Id, await _client.IdsAsync($"/fhir/Observation?code={system}|"));
    }

    [Fact]
    public async Task Comma_separated_values_are_ored_and_repeated_parameters_anded()
    {
        var (a, b) = (SearchClient.Unique("a"), SearchClient.Unique("b"));
        var first = await _client.CreateAsync(SearchData.Observation("p1", SearchData.Loinc, a, "2026-01-01"));
        var second = await _client.CreateAsync(SearchData.Observation("p1", SearchData.Loinc, b, "2026-01-01"));

        Assert.Equal([first.Id, second.Id], await _client.IdsAsync($"/fhir/Observation?code={a},{b}"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Observation?code={a}&code={b}"));
    }

    [Fact]
    public async Task Not_modifier_excludes_the_code_and_keeps_resources_without_one()
    {
        var family = SearchClient.Unique("F");
        var male = await _client.CreateAsync(new Patient { Name = [new HumanName { Family = family }], Gender = AdministrativeGender.Male });
        var female = await _client.CreateAsync(new Patient { Name = [new HumanName { Family = family }], Gender = AdministrativeGender.Female });
        var unknown = await _client.CreateAsync(new Patient { Name = [new HumanName { Family = family }] });

        Assert.Equal([female.Id, unknown.Id], await _client.IdsAsync($"/fhir/Patient?family={family}&gender:not=male"));
        Assert.Equal([male.Id], await _client.IdsAsync($"/fhir/Patient?family={family}&gender=male"));
    }

    [Fact]
    public async Task Text_modifier_matches_the_display_case_insensitively()
    {
        var code = SearchClient.Unique("c");
        var observation = await _client.CreateAsync(new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(SearchData.Loinc, code, $"Working Alliance {code}"),
        });

        Assert.Contains(observation.Id, await _client.IdsAsync($"/fhir/Observation?code:text=working%20alliance%20{code.ToUpperInvariant()}"));
        Assert.DoesNotContain(observation.Id, await _client.IdsAsync($"/fhir/Observation?code:text=alliance%20{code}"));
    }

    [Fact]
    public async Task Missing_modifier_tells_resources_with_and_without_a_value_apart()
    {
        var family = SearchClient.Unique("F");
        var withGender = await _client.CreateAsync(new Patient { Name = [new HumanName { Family = family }], Gender = AdministrativeGender.Other });
        var without = await _client.CreateAsync(new Patient { Name = [new HumanName { Family = family }] });

        Assert.Equal([without.Id], await _client.IdsAsync($"/fhir/Patient?family={family}&gender:missing=true"));
        Assert.Equal([withGender.Id], await _client.IdsAsync($"/fhir/Patient?family={family}&gender:missing=false"));
    }

    [Fact]
    public async Task Id_parameter_matches_logical_ids()
    {
        var first = await _client.CreateAsync(SearchData.Patient(SearchClient.Unique("F")));
        var second = await _client.CreateAsync(SearchData.Patient(SearchClient.Unique("F")));

        Assert.Equal([first.Id, second.Id], await _client.IdsAsync($"/fhir/Patient?_id={first.Id},{second.Id}"));
        Assert.Equal([second.Id], await _client.IdsAsync($"/fhir/Patient?_id={second.Id}"));
    }

    [Fact]
    public async Task Identifier_search_finds_the_patient_and_deleted_or_old_versions_drop_out()
    {
        var mrn = SearchClient.Unique("mrn");
        var patient = await _client.CreateAsync(SearchData.Patient("Before", mrn: mrn));
        Assert.Equal([patient.Id], await _client.IdsAsync($"/fhir/Patient?identifier=http://clinic.example.org/mrn|{mrn}"));

        patient.Name[0].Family = "After";
        using (var updated = await _client.Http.PutAsync($"/fhir/Patient/{patient.Id}", patient))
        {
            updated.EnsureSuccessStatusCode();
        }

        Assert.Equal([patient.Id], await _client.IdsAsync($"/fhir/Patient?identifier={mrn}&family=after"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Patient?identifier={mrn}&family=before"));

        using (var deleted = await _client.Http.DeleteAsync($"/fhir/Patient/{patient.Id}"))
        {
            deleted.EnsureSuccessStatusCode();
        }

        Assert.Empty(await _client.IdsAsync($"/fhir/Patient?identifier={mrn}"));
    }
}
