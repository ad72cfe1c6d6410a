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
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueType.Invalid, Assert.Single(outcome.Issue).Code);
        Assert.Contains("AllowedHosts", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        var search = await (await app.CreateClient().GetAsync("/fhir/Patient?identifier=h-forged")).ReadAsAsync<Bundle>();
        Assert.Empty(search.Entry);
    }

    [Fact]
    public async Task An_allowed_host_is_answered_as_before()
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/fhir/Patient/unknown");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.NotFound, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
    }

    public void Dispose() => app.Dispose();
}
