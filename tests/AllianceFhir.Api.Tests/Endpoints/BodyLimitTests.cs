using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

public sealed class BodyLimitTests : IDisposable
{
    private readonly FhirApplication _app = new FhirApplication().With("Fhir:MaxRequestBodyBytes", "2048");

    [Fact]
    public async Task Body_over_the_configured_limit_is_413_and_nothing_is_stored()
    {
        var client = _app.CreateClient();
        var patient = Patients.WithMrn("big-1");
        patient.Name[0].Given = [new string('x', 4000)];

        using var response = await client.PostAsync("/fhir/Patient", patient);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.TooCostly, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        using var history = await client.GetAsync("/fhir/Patient/_history");
        Assert.Empty((await history.ReadAsAsync<Bundle>()).Entry);
    }

    public void Dispose() => _app.Dispose();
}
