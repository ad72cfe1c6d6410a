using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AllianceFhir.Api.Tests.Http;

/// <summary>The app behind a public address, reached with a Host header the client made up.</summary>
public sealed class PublicBaseUrlApplication : FhirApplication
{
    public const string PublicBase = "https://fhir.example.org/alliance/fhir";

    public PublicBaseUrlApplication()
    {
        // The forged host is allowed here on purpose: the URLs must not depend on the allow-list being tight.
        With("Fhir:PublicBaseUrl", PublicBase + "/");
        With("AllowedHosts", "localhost;evil.example");
    }
}

public class FhirUrlsTests(PublicBaseUrlApplication app) : IClassFixture<PublicBaseUrlApplication>
{
    private const string PublicBase = PublicBaseUrlApplication.PublicBase;

    private readonly HttpClient _client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://evil.example") });

    private static void AssertPublic(string? url) =>
        Assert.StartsWith(PublicBase + "/", url ?? string.Empty, StringComparison.Ordinal);

    private async Task<Patient> CreateAsync(string mrn)
    {
        using var response = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var patient = await response.ReadAsAsync<Patient>();
        Assert.Equal($"{PublicBase}/Patient/{patient.Id}/_history/1", response.Headers.Location?.ToString());
        return patient;
    }

    [Fact]
    public async Task Location_of_a_create_and_an_update_uses_the_public_base()
    {
        var patient = await CreateAsync("u-location");

        using var updated = await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient);

        Assert.Equal($"{PublicBase}/Patient/{patient.Id}/_history/2", updated.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Search_links_and_full_urls_use_the_public_base()
    {
        await CreateAsync("u-search");
        await CreateAsync("u-search");

        using var response = await _client.GetAsync("/fhir/Patient?identifier=u-search&_count=1");

        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("evil.example", text, StringComparison.Ordinal);
        var bundle = await response.ReadAsAsync<Bundle>();
        Assert.Equal($"{PublicBase}/Patient?identifier=u-search&_count=1", bundle.SelfLink?.ToString());
        AssertPublic(bundle.NextLink?.ToString());
        AssertPublic(Assert.Single(bundle.Entry).FullUrl);
    }

    [Fact]
    public async Task History_links_and_full_urls_use_the_public_base()
    {
        var patient = await CreateAsync("u-history");
        (await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient)).Dispose();

        using var response = await _client.GetAsync($"/fhir/Patient/{patient.Id}/_history?_count=1");

        var bundle = await response.ReadAsAsync<Bundle>();
        Assert.Equal($"{PublicBase}/Patient/{patient.Id}/_history?_count=1", bundle.SelfLink?.ToString());
        Assert.StartsWith($"{PublicBase}/Patient/{patient.Id}/_history?", bundle.NextLink?.ToString(), StringComparison.Ordinal);
        Assert.Equal($"{PublicBase}/Patient/{patient.Id}", Assert.Single(bundle.Entry).FullUrl);
    }

    [Fact]
    public async Task Transaction_response_full_urls_use_the_public_base()
    {
        var bundle = BundleBuilder.Transaction().Post(Patients.WithMrn("u-transaction"), BundleBuilder.NewUrn()).Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("evil.example", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertPublic(Assert.Single((await response.ReadAsAsync<Bundle>()).Entry).FullUrl);
    }

    [Fact]
    public async Task Capability_statement_names_the_public_base()
    {
        var statement = await (await _client.GetAsync("/fhir/metadata")).ReadAsAsync<CapabilityStatement>();

        Assert.Equal(PublicBase, statement.Implementation?.Url);
        Assert.Equal($"{PublicBase}/metadata", statement.Url);
    }
}
