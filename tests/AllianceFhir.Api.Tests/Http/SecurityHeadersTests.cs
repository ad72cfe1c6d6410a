using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Http;

public class SecurityHeadersTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Patient_data_is_neither_sniffed_nor_stored_by_caches()
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn("s-1"));
        var id = (await created.ReadAsAsync<Patient>()).Id;

        foreach (var url in new[] { $"/fhir/Patient/{id}", "/fhir/Patient?identifier=s-1", $"/fhir/Patient/{id}/_history" })
        {
            using var response = await _client.GetAsync(url);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.CacheControl?.NoStore, url);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }

        Assert.True(created.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Error_responses_carry_the_headers_too()
    {
        using var response = await _client.GetAsync("/fhir/Patient/s-unknown");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Html_pages_get_a_restrictive_content_security_policy()
    {
        using var response = await _client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Fhir_responses_need_no_content_security_policy()
    {
        using var response = await _client.GetAsync("/fhir/metadata");

        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }
}
