using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

public sealed class QuantityAndCompositeSearchTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    [Theory]
    [InlineData("5", "five")]
    [InlineData("5.0", "")]
    [InlineData("gt5", "seven")]
    [InlineData("ge5", "five,seven")]
    [InlineData("lt7", "five")]
    [InlineData("le7", "five,seven")]
    [InlineData("ne5", "seven")]
    [InlineData("sa5", "seven")]
    [InlineData("eb7", "five")]
    [InlineData("ap7.5", "seven")]
    [InlineData("5|http://unitsofmeasure.org|mg", "five")]
    [InlineData("5||mg", "five")]
    [InlineData("7||kg", "")]
    public async Task Quantity_prefixes_and_units(string value, string expected)
    {
        var code = SearchClient.Unique("q");
        var five = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-01-01", 5m));
        var seven = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-01-01", 7m));
        var names = new Dictionary<string, string> { [five.Id!] = "five", [seven.Id!] = "seven" };

        var ids = await _client.IdsAsync($"/fhir/Observation?code={code}&value-quantity={value}");

        Assert.Equal(expected, string.Join(',', ids.Select(id => names[id!])));
    }

    [Fact]
    public async Task Composite_matches_only_code_and_value_that_occur_together()
    {
        var (a, b) = (SearchClient.Unique("a"), SearchClient.Unique("b"));

        // One observation with two components: a=1 and b=9. a$9 must not match across components.
        var observation = await _client.CreateAsync(new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(SearchData.Loinc, "panel"),
            Component =
            [
                new Observation.ComponentComponent { Code = new CodeableConcept(SearchData.Loinc, a), Value = new Quantity(1, "mg", SearchData.Ucum) },
                new Observation.ComponentComponent { Code = new CodeableConcept(SearchData.Loinc, b), Value = new Quantity(9, "mg", SearchData.Ucum) },
            ],
        });

        Assert.Equal([observation.Id], await _client.IdsAsync($"/fhir/Observation?component-code-value-quantity={a}$1"));
        Assert.Equal([observation.Id], await _client.IdsAsync($"/fhir/Observation?component-code-value-quantity={SearchData.Loinc}|{b}$gt8"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Observation?component-code-value-quantity={a}$9"));
        Assert.Equal([observation.Id], await _client.IdsAsync($"/fhir/Observation?component-code-value-quantity={a}$9,{b}$9"));
    }

    [Fact]
    public async Task Code_value_quantity_pairs_the_observation_code_with_its_value()
    {
        var code = SearchClient.Unique("c");
        var observation = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-01-01", 42m));

        Assert.Equal([observation.Id], await _client.IdsAsync($"/fhir/Observation?code-value-quantity={code}$42"));
        Assert.Empty(await _client.IdsAsync($"/fhir/Observation?code-value-quantity={code}$41"));
    }
}
