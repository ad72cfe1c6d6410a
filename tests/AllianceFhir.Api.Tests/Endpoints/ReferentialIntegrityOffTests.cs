using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Endpoints;

/// <summary><c>Fhir:ReferentialIntegrityOnDelete=Off</c> lets referenced resources be deleted; writes are still checked.</summary>
public sealed class ReferentialIntegrityOffTests : IDisposable
{
    private readonly FhirApplication _app = new FhirApplication().With("Fhir:ReferentialIntegrityOnDelete", "Off");

    [Fact]
    public async Task A_referenced_patient_can_be_deleted_but_not_referred_to_afterwards()
    {
        var client = _app.CreateClient();
        await Patients.StoreAsync(client, "off-1");
        using (var observation = await client.PostAsync("/fhir/Observation", Clinical.ScoreFor("Patient/off-1")))
        {
            Assert.Equal(HttpStatusCode.Created, observation.StatusCode);
        }

        using var delete = await client.DeleteAsync("/fhir/Patient/off-1");
        using var again = await client.PostAsync("/fhir/Observation", Clinical.ScoreFor("Patient/off-1"));

        Assert.True(delete.IsSuccessStatusCode, $"DELETE answered {(int)delete.StatusCode}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        var metadata = await (await client.GetAsync("/fhir/metadata")).ReadAsAsync<Hl7.Fhir.Model.CapabilityStatement>();
        Assert.DoesNotContain(Hl7.Fhir.Model.CapabilityStatement.ReferenceHandlingPolicy.Enforced, metadata.Rest[0].Resource[0].ReferencePolicy.Select(p => p!.Value));
    }

    public void Dispose() => _app.Dispose();
}
