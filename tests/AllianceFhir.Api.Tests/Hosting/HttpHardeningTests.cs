using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Hosting;

/// <summary>Over real Kestrel and loopback TCP: the Server header, and whose forwarded headers are believed.</summary>
public class HttpHardeningTests
{
    private static FhirApplication OnKestrel(params (string Key, string Value)[] settings)
    {
        var app = new FhirApplication().With("AllowedHosts", "localhost;127.0.0.1;[::1];fhir.example.org");
        foreach (var (key, value) in settings)
        {
            app.With(key, value);
        }

        app.UseKestrel(0);
        return app;
    }

    private static async Task<string?> CreateThroughProxyAsync(HttpClient client, string forwardedHost)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn("k-1")) };
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", forwardedHost);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location?.ToString();
    }

    [Fact]
    public async Task Kestrel_sends_no_server_header()
    {
        using var app = OnKestrel();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/fhir/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.Server);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_unconfigured_sender_are_ignored()
    {
        using var app = OnKestrel();
        using var client = app.CreateClient();

        var location = await CreateThroughProxyAsync(client, "fhir.example.org");

        Assert.StartsWith($"http://{client.BaseAddress!.Authority}/fhir/Patient/", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forwarded_headers_from_a_configured_proxy_set_the_public_address()
    {
        using var app = OnKestrel(("ForwardedHeaders:KnownProxies:0", "127.0.0.1"), ("ForwardedHeaders:KnownProxies:1", "::1"));
        using var client = app.CreateClient();

        var location = await CreateThroughProxyAsync(client, "fhir.example.org");

        Assert.StartsWith("https://fhir.example.org/fhir/Patient/", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forwarded_host_outside_the_allowed_list_is_not_used_even_from_a_proxy()
    {
        using var app = OnKestrel(("ForwardedHeaders:KnownNetworks:0", "127.0.0.0/8"), ("ForwardedHeaders:KnownNetworks:1", "::1/128"));
        using var client = app.CreateClient();

        var location = await CreateThroughProxyAsync(client, "evil.example");

        Assert.DoesNotContain("evil.example", location, StringComparison.Ordinal);
    }
}
