using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Search;

public sealed class StringSearchTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    [Fact]
    public async Task Default_string_search_is_a_case_and_accent_insensitive_prefix()
    {
        var tag = SearchClient.Unique("x");
        var muller = await _client.CreateAsync(SearchData.Patient($"Müller{tag}"));
        var other = await _client.CreateAsync(SearchData.Patient($"Mueller{tag}"));

        Assert.Equal([muller.Id], await _client.IdsAsync($"/fhir/Patient?family=muller{tag}"));
        Assert.Equal([muller.Id], await _client.IdsAsync($"/fhir/Patient?family=MÜLLER{tag[..5]}"));
        Assert.Equal([other.Id], await _client.IdsAsync($"/fhir/Patient?family=muel&family:contains={tag}"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Patient?family=ller{tag}"));
    }

    [Fact]
    public async Task Exact_modifier_needs_the_whole_value_with_case_and_accents()
    {
        var tag = SearchClient.Unique("x");
        var patient = await _client.CreateAsync(SearchData.Patient($"Zoë{tag}"));

        Assert.Equal([patient.Id], await _client.IdsAsync($"/fhir/Patient?family:exact=Zoë{tag}"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Patient?family:exact=zoe{tag}"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Patient?family:exact=Zoë"));
    }

    [Fact]
    public async Task Contains_modifier_matches_inside_the_value()
    {
        var tag = SearchClient.Unique("x");
        var patient = await _client.CreateAsync(SearchData.Patient($"Van{tag}Berg"));

        Assert.Equal([patient.Id], await _client.IdsAsync($"/fhir/Patient?family:contains={tag[2..]}BERG"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Patient?family:contains={tag}Burg"));
    }

    [Fact]
    public async Task Name_searches_any_part_of_the_name()
    {
        var given = SearchClient.Unique("Given");
        var patient = await _client.CreateAsync(SearchData.Patient("Family", given: given));

        Assert.Equal([patient.Id], await _client.IdsAsync($"/fhir/Patient?name={given.ToLowerInvariant()}"));
        Assert.Equal([patient.Id], await _client.IdsAsync($"/fhir/Patient?given={given[..8]}&name=fam"));
    }
}
