using System.Net;
using System.Net.Http.Headers;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>Rate limits per client and tenant, and CORS for browser SMART apps.</summary>
public sealed class EdgeTests : IDisposable
{
    private const string AppOrigin = "https://app.example.org";

    private readonly IdentityProvider _idp = new();
    private readonly FhirApplication _app;

    public EdgeTests()
    {
        _app = _idp.Protect(new FhirApplication())
            .With("RateLimit:PermitLimit", "3")
            .With("RateLimit:WindowSeconds", "60")
            .With("Cors:AllowedOrigins:0", AppOrigin);
    }

    [Fact]
    public async Task A_client_over_its_limit_gets_429_with_retry_after_and_other_clients_do_not()
    {
        using var busy = Client(_idp.Token("user/Patient.rs", claims: new Dictionary<string, object> { ["client_id"] = "busy", ["tenant"] = "clinic-a" }));
        using var other = Client(_idp.Token("user/Patient.rs", claims: new Dictionary<string, object> { ["client_id"] = "busy", ["tenant"] = "clinic-b" }));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var r = await busy.GetAsync("/fhir/Patient");
            statuses.Add(r.StatusCode);
        }

        using var limited = await busy.GetAsync("/fhir/Patient");
        using var otherTenant = await other.GetAsync("/fhir/Patient");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(OperationOutcome.IssueType.Throttled, (await limited.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        Assert.Equal(HttpStatusCode.OK, otherTenant.StatusCode);
    }

    [Fact]
    public async Task A_preflight_from_a_configured_origin_is_answered_without_a_token()
    {
        using var client = _app.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/fhir/Patient");
        preflight.Headers.Add("Origin", AppOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");

        using var response = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(AppOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("authorization", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Other_origins_get_no_cors_headers()
    {
        using var client = Client(_idp.Token("user/Patient.rs"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Patient");
        request.Headers.Add("Origin", "https://evil.example.org");
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/fhir/Patient");
        preflight.Headers.Add("Origin", "https://evil.example.org");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await client.SendAsync(request);
        using var refused = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_browser_app_sees_the_challenge_of_a_refused_request()
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Patient");
        request.Headers.Add("Origin", AppOrigin);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(AppOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("WWW-Authenticate", string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose()
    {
        _app.Dispose();
        _idp.Dispose();
    }

    private HttpClient Client(string token)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
