using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Instruments;

/// <summary>
/// A response authored at the edge of what FHIR dates can name (year 9999 in a zone west of UTC, year 0001 east of it)
/// is a valid dateTime whose UTC instant DateTime cannot hold: the submit answers below 500, and stores all of it
/// (response and scores) or nothing.
/// </summary>
public sealed class AuthoredBoundaryTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData("9999-12-31T23:59:59-01:00")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("9999")]
    public async Task A_response_authored_at_the_edge_of_time_is_answered_below_500(string authored)
    {
        var patient = $"edge-{Guid.NewGuid():N}"[..20];
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var response = InstrumentResponses.Decimals(srs, patient, 9, 9, 9, 9);
        response.Authored = authored;

        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);

        Assert.True((int)created.StatusCode < 500, $"{(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        var stored = await (await _client.GetAsync($"/fhir/QuestionnaireResponse?subject=Patient/{patient}")).ReadAsAsync<Bundle>();
        var observations = await (await _client.GetAsync($"/fhir/Observation?subject=Patient/{patient}")).ReadAsAsync<Bundle>();
        if (created.StatusCode == HttpStatusCode.Created)
        {
            Assert.Single(stored.Entry);
            Assert.NotEmpty(observations.Entry);
        }
        else
        {
            await created.ReadAsAsync<OperationOutcome>();
            Assert.Empty(stored.Entry);
            Assert.Empty(observations.Entry);
        }
    }
}
