using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>
/// The first and last years FHIR dates can name (0001, 9999) are dates like any other: searchable with every prefix,
/// on resources and on AuditEvents, answered 200 and never 500. DateTime ends with year 9999, where computing a range
/// by adding a year or a tick to a start threw.
/// </summary>
public sealed class DateBoundaryTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    [Theory]
    [InlineData("9999", "last")]
    [InlineData("9999-12", "last")]
    [InlineData("9999-12-31", "last")]
    [InlineData("ge9999", "last")]
    [InlineData("gt9999", "")]
    [InlineData("sa9999", "")]
    [InlineData("lt9999", "first")]
    [InlineData("9999-12-31T23:59:59Z", "")]
    [InlineData("9999-12-31T23:59:59-01:00", "")]
    [InlineData("le9999-12-31T23:59:59.9999999Z", "first,last")]
    [InlineData("0001", "first")]
    [InlineData("0001-01-01T00:00:00%2B01:00", "")]
    [InlineData("lt0001", "")]
    [InlineData("eb0001", "")]
    [InlineData("gt0001", "last")]
    [InlineData("ap9999", "last")]
    [InlineData("ne9999", "first")]
    public async Task The_first_and_last_years_are_searchable_dates(string value, string expected)
    {
        var code = SearchClient.Unique("b");
        var first = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "0001-01-01"));
        var last = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "9999-12-31"));
        var names = new Dictionary<string, string> { [first.Id!] = "first", [last.Id!] = "last" };

        var ids = await _client.IdsAsync($"/fhir/Observation?code={code}&date={value}");

        Assert.Equal(expected, string.Join(',', ids.Select(id => names[id!]).Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("/fhir/Patient?_lastUpdated=9999")]
    [InlineData("/fhir/Patient?_lastUpdated=ge9999")]
    [InlineData("/fhir/Patient?_lastUpdated=gt9999-12-31T23:59:59Z")]
    [InlineData("/fhir/Patient?_lastUpdated=lt0001")]
    [InlineData("/fhir/Patient?_lastUpdated=0001")]
    [InlineData("/fhir/AuditEvent?date=9999")]
    [InlineData("/fhir/AuditEvent?date=gt9999")]
    [InlineData("/fhir/AuditEvent?date=gt9999-12-31T23:59:59Z")]
    [InlineData("/fhir/AuditEvent?date=sa9999-12-31T23:59:59Z")]
    [InlineData("/fhir/AuditEvent?date=lt0001-01-01T00:00:00Z")]
    [InlineData("/fhir/AuditEvent?_lastUpdated=eb0001")]
    [InlineData("/fhir/AuditEvent?_lastUpdated=gt9999")]
    public async Task Searches_beyond_every_stored_time_find_nothing(string url)
    {
        await _client.CreateAsync(SearchData.Patient(SearchClient.Unique("F")));

        Assert.Empty(await _client.IdsAsync(url));
    }

    [Theory]
    [InlineData("/fhir/Patient?_lastUpdated=lt9999")]
    [InlineData("/fhir/Patient?_lastUpdated=gt0001")]
    public async Task Searches_up_to_the_last_year_or_from_the_first_find_what_is_stored(string url)
    {
        await _client.CreateAsync(SearchData.Patient(SearchClient.Unique("F")));

        Assert.NotEmpty(await _client.IdsAsync(url));
    }

    [Theory]
    [InlineData("date=9999-12-31T23:59:61Z")]
    [InlineData("date=0000")]
    public async Task Impossible_times_stay_a_400(string query)
    {
        using var response = await _client.GetAsync($"/fhir/Observation?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("OperationOutcome", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
