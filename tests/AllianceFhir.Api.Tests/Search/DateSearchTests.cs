using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>Date prefixes over ranges: a search value and a stored value each stand for the span their precision implies.</summary>
public sealed class DateSearchTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    /// <summary>Three observations under one fresh code: 2026-02-28T23:00Z, 2026-03-15 (a whole day), 2026-04-01T00:00:00Z.</summary>
    private async Task<(string Code, string Feb, string March, string April)> SeedAsync()
    {
        var code = SearchClient.Unique("d");
        var feb = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-02-28T23:00:00Z"));
        var march = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-03-15"));
        var april = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-04-01T00:00:00Z"));
        return (code, feb.Id!, march.Id!, april.Id!);
    }

    [Theory]
    [InlineData("2026-03", "march")]
    [InlineData("eq2026-03", "march")]
    [InlineData("2026", "feb,march,april")]
    [InlineData("ne2026-03", "feb,april")]
    [InlineData("gt2026-03", "april")]
    [InlineData("ge2026-03", "march,april")]
    [InlineData("lt2026-03", "feb")]
    [InlineData("le2026-03", "feb,march")]
    [InlineData("sa2026-03-15", "april")]
    [InlineData("eb2026-03-15", "feb")]
    [InlineData("2026-03-15T12:00Z", "")]
    [InlineData("ge2026-02-28T23:00:00Z", "feb,march,april")]
    [InlineData("gt2026-02-28T23:00:00Z", "march,april")]
    [InlineData("2026-03-01T00:00:00%2B01:00", "feb")]
    public async Task Prefixes_compare_ranges(string value, string expected)
    {
        var (code, feb, march, april) = await SeedAsync();
        var names = new Dictionary<string, string> { [feb] = "feb", [march] = "march", [april] = "april" };

        var ids = await _client.IdsAsync($"/fhir/Observation?code={code}&date={value}");

        Assert.Equal(expected, string.Join(',', ids.Select(id => names[id!])));
    }

    [Fact]
    public async Task Approximately_allows_ten_percent_of_the_distance_from_now()
    {
        var code = SearchClient.Unique("d");
        var past = DateTime.UtcNow.AddDays(-100);
        var near = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, past.AddDays(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        var far = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, past.AddDays(-30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));

        var ids = await _client.IdsAsync($"/fhir/Observation?code={code}&date=ap{past.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}");

        Assert.Equal([near.Id], ids);
        Assert.DoesNotContain(far.Id, ids);
    }

    [Fact]
    public async Task A_range_of_two_parameters_selects_the_span_between()
    {
        var (code, _, march, _) = await SeedAsync();

        Assert.Equal([march], await _client.IdsAsync($"/fhir/Observation?code={code}&date=ge2026-03-01&date=lt2026-04-01"));
    }

    [Fact]
    public async Task Last_updated_is_searchable()
    {
        var before = DateTime.UtcNow.AddSeconds(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var patient = await _client.CreateAsync(SearchData.Patient(SearchClient.Unique("F")));

        Assert.Contains(patient.Id, await _client.IdsAsync($"/fhir/Patient?_lastUpdated=ge{before}&_count=1000"));
        Assert.DoesNotContain(patient.Id, await _client.IdsAsync($"/fhir/Patient?_lastUpdated=lt{before}&_count=1000"));
    }

    [Theory]
    [InlineData("date=2026-13")]
    [InlineData("date=xx2026")]
    [InlineData("date=yesterday")]
    [InlineData("value-quantity=abc")]
    public async Task Malformed_values_are_a_400_even_when_lenient(string query)
    {
        using var response = await _client.GetAsync($"/fhir/Observation?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("OperationOutcome", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
