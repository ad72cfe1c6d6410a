using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AllianceFhir.Api.Tests.Hosting;

public class AllowedHostsTests(FhirApplication app) : IClassFixture<FhirApplication>
{
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
}
