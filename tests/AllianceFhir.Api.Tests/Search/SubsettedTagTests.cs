using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>
/// A resource trimmed by <c>_summary</c>/<c>_elements</c> carries exactly one SUBSETTED tag (R4 search.html#summary),
/// however it was trimmed and whatever SUBSETTED tag it already had: the serializer adds its own, in the R4 system and
/// the STU3 one, and a stored resource may carry either.
/// </summary>
public sealed class SubsettedTagTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string R4System = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
    private const string Stu3System = "http://hl7.org/fhir/v3/ObservationValue";

    private readonly SearchClient _client = new(app.CreateClient());

    private static void AssertOneSubsettedTag(Resource resource)
    {
        var tag = Assert.Single(resource.Meta?.Tag ?? [], t => t.Code == "SUBSETTED");
        Assert.Equal(R4System, tag.System);
    }

    private async Task<Patient> CreateAsync(string? storedTagSystem)
    {
        var patient = SearchData.Patient(SearchClient.Unique("S"), mrn: SearchClient.Unique("m"));
        if (storedTagSystem is not null)
        {
            patient.Meta = new Meta { Tag = [new Coding(storedTagSystem, "SUBSETTED")] };
        }

        return await _client.CreateAsync(patient);
    }

    [Theory]
    [InlineData(null, "_summary=true")]
    [InlineData(null, "_elements=name")]
    [InlineData(null, "_summary=data")]
    [InlineData(R4System, "_summary=true")]
    [InlineData(R4System, "_elements=name")]
    [InlineData(Stu3System, "_summary=true")]
    [InlineData(Stu3System, "_elements=name")]
    public async Task A_read_subset_carries_one_subsetted_tag(string? storedTagSystem, string query)
    {
        var patient = await CreateAsync(storedTagSystem);

        using var response = await _client.GetAsync($"/fhir/Patient/{patient.Id}?{query}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertOneSubsettedTag(await response.ReadAsAsync<Patient>());
    }

    [Theory]
    [InlineData(null, "_summary=true")]
    [InlineData(null, "_elements=name")]
    [InlineData(Stu3System, "_summary=true")]
    [InlineData(Stu3System, "_elements=name")]
    [InlineData(R4System, "_elements=name")]
    public async Task A_search_match_subset_carries_one_subsetted_tag(string? storedTagSystem, string query)
    {
        var patient = await CreateAsync(storedTagSystem);

        var bundle = await _client.SearchAsync($"/fhir/Patient?_id={patient.Id}&{query}");

        AssertOneSubsettedTag(Assert.Single(bundle.Entry).Resource!);
    }

    [Fact]
    public async Task A_history_subset_carries_one_subsetted_tag()
    {
        var patient = await CreateAsync(Stu3System);

        var bundle = await _client.SearchAsync($"/fhir/Patient/{patient.Id}/_history?_summary=true");

        AssertOneSubsettedTag(Assert.Single(bundle.Entry).Resource!);
    }
}
