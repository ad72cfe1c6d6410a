using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Security;

public class AuthenticationTests(SecuredApp secured) : IClassFixture<SecuredApp>
{
    public static TheoryData<string> BadTokens => ["forged", "expired", "wrong-audience", "wrong-issuer", "alg-none", "hmac-public-key", "unknown-kid", "garbage"];

    [Fact]
    public async Task A_request_without_a_token_is_401_with_a_bearer_challenge_and_an_outcome()
    {
        using var client = secured.Client(null);

        using var response = await client.GetAsync("/fhir/Patient");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.DoesNotContain("error=", challenge.Parameter ?? string.Empty, StringComparison.Ordinal);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueType.Login, outcome.Issue[0].Code);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_401_invalid_token_and_changes_nothing(string kind)
    {
        var idp = secured.Idp;
        var token = kind switch
        {
            "forged" => idp.ForgedToken(SecuredApp.FullAccess),
            "expired" => idp.Token(SecuredApp.FullAccess, expires: DateTime.UtcNow.AddMinutes(-5)),
            "wrong-audience" => idp.Token(SecuredApp.FullAccess, audience: "https://other.example.org/fhir"),
            "wrong-issuer" => idp.Token(SecuredApp.FullAccess, issuer: "https://evil.example.org"),
            "alg-none" => idp.UnsignedToken(SecuredApp.FullAccess),
            "hmac-public-key" => idp.HmacWithPublicKeyToken(SecuredApp.FullAccess),
            "unknown-kid" => idp.Token(SecuredApp.FullAccess, signing: new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "never-published" },
                Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256)),
            _ => "not.a.jwt",
        };
        var mrn = $"bad-token-{kind}";
        using var client = secured.Client(token);

        using var response = await client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueSeverity.Error, outcome.Issue[0].Severity);
        Assert.DoesNotContain(token, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNoPatientAsync(mrn);
    }

    [Fact]
    public async Task An_expired_token_says_it_expired()
    {
        using var client = secured.Client(secured.Idp.Token(SecuredApp.FullAccess, expires: DateTime.UtcNow.AddMinutes(-5)));

        using var response = await client.GetAsync("/fhir/Patient");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Expired, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
    }

    [Fact]
    public async Task A_valid_token_is_accepted()
    {
        using var client = secured.ClientWithScopes("user/Patient.cruds");

        using var created = await client.PostAsync("/fhir/Patient", Patients.WithMrn("valid-token"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Theory]
    [InlineData("/fhir/metadata")]
    [InlineData("/fhir/.well-known/smart-configuration")]
    public async Task Discovery_needs_no_token(string path)
    {
        using var client = secured.Client(null);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_smart_configuration_comes_from_the_issuers_discovery_document()
    {
        using var client = secured.Client(null);

        using var response = await client.GetAsync("/fhir/.well-known/smart-configuration");

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        var issuer = secured.Idp.Issuer;
        Assert.Equal(issuer, root.GetProperty("issuer").GetString());
        Assert.Equal(issuer + "/authorize", root.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(issuer + "/token", root.GetProperty("token_endpoint").GetString());
        Assert.Equal(issuer + IdentityProvider.JwksPath, root.GetProperty("jwks_uri").GetString());
        var capabilities = root.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("permission-v2", capabilities);
        Assert.Contains("permission-patient", capabilities);
        Assert.Contains("system/*.rs", root.GetProperty("scopes_supported").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["S256"], root.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task The_capability_statement_declares_smart_on_fhir_with_the_oauth_uris()
    {
        using var client = secured.Client(null);

        var statement = await (await client.GetAsync("/fhir/metadata")).ReadAsAsync<CapabilityStatement>();

        var security = Assert.IsType<CapabilityStatement.SecurityComponent>(statement.Rest[0].Security);
        var coding = Assert.Single(Assert.Single(security.Service).Coding);
        Assert.Equal("http://terminology.hl7.org/CodeSystem/restful-security-service", coding.System);
        Assert.Equal("SMART-on-FHIR", coding.Code);
        var uris = Assert.Single(security.Extension, e => e.Url == "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        Assert.Equal(secured.Idp.Issuer + "/authorize", Assert.IsType<FhirUri>(uris.GetExtension("authorize")?.Value).Value);
        Assert.Equal(secured.Idp.Issuer + "/token", Assert.IsType<FhirUri>(uris.GetExtension("token")?.Value).Value);
    }

    private async Task AssertNoPatientAsync(string mrn)
    {
        using var admin = secured.ClientWithScopes(SecuredApp.FullAccess);
        var bundle = await (await admin.GetAsync($"/fhir/Patient?identifier=http://clinic.example.org/mrn|{mrn}")).ReadAsAsync<Bundle>();
        Assert.Empty(bundle.Entry);
    }
}
