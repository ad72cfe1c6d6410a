using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AllianceFhir.Api.Tests.Hosting;

public sealed class AllowedHostsTests : IDisposable
{
    // Development answers any Host (appsettings.Development.json); a deployment lists its names, as here.
    private readonly FhirApplication app = new FhirApplication().With("AllowedHosts", "localhost");

    [Fact]
    public async Task A_host_outside_the_allowed_list_is_refused_and_nothing_is_stored()
    {
        using var forged = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://evil.example") });

        using var response = await forged.PostAsync("/fhir/Patient", Patients.WithMrn("h-forged"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var search = await (await app.CreateClient().GetAsync("/fhir/Patient?identifier=h-forged")).ReadAsAsync<Bundle>();
        Assert.Empty(search.Entry);
    }

    public void Dispose() => app.Dispose();
}
