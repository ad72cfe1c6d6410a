using AllianceFhir.Api.Hosting;
using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Api.Tests.Http;

/// <summary>
/// Issue 9: before the nesting limit, XML let in resources deeper than JSON can read back, and then history, search,
/// XML reads and delete of them answered 500 for everyone. A database may still hold such resources.
/// </summary>
public sealed class StoredDeepResourceTests : IDisposable
{
    private readonly FhirApplication _app = new();

    [Fact]
    public async Task A_resource_stored_deeper_than_requests_may_nest_stays_readable_everywhere()
    {
        var client = _app.CreateClient();
        var patient = HostileBodies.NestedExtensionsPatient(3 * FhirBodyGuard.MaxNestingDepth);
        patient.Identifier = [new Identifier("http://clinic.example.org/mrn", "deep-legacy")];
        string id;
        using (var scope = _app.Services.CreateScope())
        {
            // As the XML path stored it before the limit existed: through the service, past the request checks.
            var written = await scope.ServiceProvider.ResourceServiceFor("default").CreateAsync(patient, null, CancellationToken.None);
            id = written.Resource!.Id!;
        }

        foreach (var url in new[]
                 {
                     "/fhir/_history", "/fhir/Patient/_history", $"/fhir/Patient/{id}/_history",
                     "/fhir/Patient?identifier=deep-legacy", $"/fhir/Patient/{id}", $"/fhir/Patient/{id}?_format=xml",
                     "/fhir/Patient?identifier=deep-legacy&_format=xml", "/fhir/_history?_format=xml",
                     "/fhir/Patient?identifier=deep-legacy&_summary=data",
                 })
        {
            using var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} answered {(int)response.StatusCode}");
        }

        using var deleted = await client.DeleteAsync($"/fhir/Patient/{id}");
        Assert.True(deleted.IsSuccessStatusCode, $"DELETE answered {(int)deleted.StatusCode}");
    }

    public void Dispose() => _app.Dispose();
}
