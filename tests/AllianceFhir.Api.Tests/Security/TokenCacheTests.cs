using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AllianceFhir.Api.Security;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>
/// Accepted tokens are remembered (<see cref="CachingTokenHandler"/>) and their scopes parsed once (<see cref="ParsedScopes"/>);
/// neither may let through anything full validation and a fresh parse would refuse.
/// </summary>
public sealed class TokenCacheTests : IDisposable
{
    private readonly IdentityProvider _idp = new();
    private readonly FhirApplication _app;
    private readonly WebApplicationFactory<Program> _strictClock;

    public TokenCacheTests()
    {
        _app = _idp.Protect(new FhirApplication());

        // Without the validator's 30 s clock skew, a token's expiry can be waited for in a test.
        _strictClock = _app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o => o.TokenValidationParameters.ClockSkew = TimeSpan.Zero)));
    }

    [Fact]
    public async Task A_token_accepted_before_is_refused_once_it_has_expired()
    {
        // Start the app and fetch the keys first, so the short-lived token is used well within its life.
        using (var warm = Client(_idp.Token(SecuredApp.FullAccess)))
        {
            Assert.Equal(HttpStatusCode.OK, (await warm.GetAsync("/fhir/Patient")).StatusCode);
        }

        var expires = DateTime.UtcNow.AddSeconds(3);
        using var client = Client(_idp.Token(SecuredApp.FullAccess, expires: expires));

        using (var before = await client.GetAsync("/fhir/Patient"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // JWT times have whole seconds: wait until the expiry has surely passed.
        await Task.Delay(expires.AddSeconds(1.5) - DateTime.UtcNow);
        using var replayed = await client.PostAsync("/fhir/Patient", Patients.WithMrn("replayed-after-expiry"));

        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(replayed.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        Assert.Equal(OperationOutcome.IssueType.Expired, (await replayed.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        await AssertNoPatientAsync("replayed-after-expiry");
    }

    [Fact]
    public async Task A_token_sent_outside_the_FHIR_base_is_not_validated()
    {
        // Only the FHIR base and the pages read a token, and they name the scheme; validating it for every other request
        // (health probes, Swagger) cost each request CPU for a result nothing read (docs/performance.md).
        using var client = Client(_idp.Token(SecuredApp.FullAccess));

        using var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(0, _idp.JwksFetches);
        using var read = await client.GetAsync("/fhir/Patient/unknown");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(1, _idp.JwksFetches);
    }

    [Theory]
    [InlineData("signature")]
    [InlineData("payload")]
    public async Task An_accepted_token_changed_in_any_part_is_refused(string part)
    {
        var token = _idp.Token("system/Patient.r");
        using var client = Client(token);
        using (var accepted = await client.GetAsync("/fhir/Patient/unknown"))
        {
            Assert.Equal(HttpStatusCode.NotFound, accepted.StatusCode);
        }

        var parts = token.Split('.');
        if (part == "signature")
        {
            // A character in the middle: the last one may only carry padding bits.
            var middle = parts[2].Length / 2;
            parts[2] = parts[2][..middle] + (parts[2][middle] == 'A' ? 'B' : 'A') + parts[2][(middle + 1)..];
        }
        else
        {
            var claims = Base64UrlEncoder.Decode(parts[1]).Replace("system/Patient.r", "system/*.cruds", StringComparison.Ordinal);
            parts[1] = Base64UrlEncoder.Encode(claims);
        }

        using var changedClient = Client(string.Join('.', parts));
        using var changed = await changedClient.PostAsync("/fhir/Patient", Patients.WithMrn($"changed-{part}"));

        Assert.Equal(HttpStatusCode.Unauthorized, changed.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(changed.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        await AssertNoPatientAsync($"changed-{part}");
    }

    [Fact]
    public async Task Tokens_of_the_same_client_keep_their_own_scopes_in_any_order()
    {
        // Same sub and client_id, different scopes: whatever is remembered must be keyed by the token, not the caller.
        using var patients = Client(_idp.Token("system/Patient.rs"));
        using var observations = Client(_idp.Token("system/Observation.rs"));

        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(HttpStatusCode.OK, (await patients.GetAsync("/fhir/Patient")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await patients.GetAsync("/fhir/Observation")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await observations.GetAsync("/fhir/Observation")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await observations.GetAsync("/fhir/Patient")).StatusCode);
        }
    }

    [Fact]
    public async Task A_remembered_token_keeps_its_own_tenant_and_patient_on_every_request()
    {
        // After its first request a token is answered from the cache without the authentication handler; the caller
        // built from it must be the same every time: its clinic, its patient, whatever the scheme's letter case.
        using var clinicA = Client(_idp.Token(SecuredApp.FullAccess, claims: new Dictionary<string, object> { ["tenant"] = "clinic-a" }));
        using var clinicB = Client(_idp.Token(SecuredApp.FullAccess, claims: new Dictionary<string, object> { ["tenant"] = "clinic-b" }));
        using var created = await clinicA.PostAsync("/fhir/Patient", Patients.WithMrn("remembered-tenant"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadAsAsync<Patient>()).Id;
        var patientToken = _idp.Token("patient/*.rs", claims: new Dictionary<string, object> { ["tenant"] = "clinic-a", ["patient"] = "someone-else" });
        using var otherPatient = _strictClock.CreateClient();
        otherPatient.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + patientToken);

        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(HttpStatusCode.OK, (await clinicA.GetAsync($"/fhir/Patient/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await clinicB.GetAsync($"/fhir/Patient/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await otherPatient.GetAsync($"/fhir/Patient/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await otherPatient.PostAsync("/fhir/Patient", Patients.WithMrn("remembered-write"))).StatusCode);
        }

        Assert.Equal(1, _idp.JwksFetches);
        var stored = await (await clinicA.GetAsync("/fhir/Patient?identifier=http://clinic.example.org/mrn|remembered-write")).ReadAsAsync<Bundle>();
        Assert.Empty(stored.Entry);
    }

    [Fact]
    public async Task The_handler_validates_a_token_once_and_then_answers_from_its_cache_until_expiry()
    {
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "k" };
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = "https://idp.example.org",
            ValidAudience = "aud",
            IssuerSigningKey = key,
            ClockSkew = TimeSpan.Zero,
        };
        var clock = new MovableClock();
        using var cache = new TokenValidationCache();
        var handler = new CachingTokenHandler(new JsonWebTokenHandler(), cache, clock);
        string Token(DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://idp.example.org",
            Audience = "aud",
            IssuedAt = expires.AddMinutes(-10),
            NotBefore = expires.AddMinutes(-10),
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        var token = Token(DateTime.UtcNow.AddMinutes(10));
        var other = Token(DateTime.UtcNow.AddMinutes(9));

        var first = await handler.ValidateTokenAsync(token, parameters);
        var second = await handler.ValidateTokenAsync(token, parameters);
        var third = await handler.ValidateTokenAsync(other, parameters);
        clock.Advance(CachingTokenHandler.MaxAge + TimeSpan.FromSeconds(1));
        var afterMaxAge = await handler.ValidateTokenAsync(token, parameters);

        Assert.True(first.IsValid && second.IsValid && third.IsValid && afterMaxAge.IsValid);
        Assert.Same(first.SecurityToken, second.SecurityToken);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.NotSame(first.SecurityToken, third.SecurityToken);
        Assert.NotSame(first.SecurityToken, afterMaxAge.SecurityToken);
    }

    public void Dispose()
    {
        _strictClock.Dispose();
        _app.Dispose();
        _idp.Dispose();
    }

    private async Task AssertNoPatientAsync(string mrn)
    {
        using var admin = Client(_idp.Token(SecuredApp.FullAccess));
        var bundle = await (await admin.GetAsync($"/fhir/Patient?identifier=http://clinic.example.org/mrn|{mrn}")).ReadAsAsync<Bundle>();
        Assert.Empty(bundle.Entry);
    }

    private HttpClient Client(string token)
    {
        var client = _strictClock.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed class MovableClock : TimeProvider
    {
        private TimeSpan _offset;

        public void Advance(TimeSpan by) => _offset += by;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
    }
}
