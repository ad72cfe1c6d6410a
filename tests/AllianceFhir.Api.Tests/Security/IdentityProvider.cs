using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AllianceFhir.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace AllianceFhir.Api.Tests.Security;

/// <summary>
/// A stand-in for the deployment's authorization server on a loopback WireMock server: its OpenID discovery document
/// and JWKS, and tokens signed here with its RSA key, as the real one would issue them.
/// </summary>
public sealed class IdentityProvider : IDisposable
{
    public const string Audience = "https://fhir.example.org/fhir";
    public const string JwksPath = "/jwks";

    private readonly WireMockServer _server;
    private RsaKey _key = RsaKey.New();

    public IdentityProvider()
    {
        _server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort()}"] });
        Issuer = _server.Urls[0].TrimEnd('/');
        var discovery = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Issuer + JwksPath,
            ["authorization_endpoint"] = Issuer + "/authorize",
            ["token_endpoint"] = Issuer + "/token",
            ["grant_types_supported"] = new[] { "authorization_code", "client_credentials", "refresh_token" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "private_key_jwt" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        });
        _server.Given(Request.Create().WithPath("/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(discovery));
        PublishKeys(_key);
    }

    public string Issuer { get; }

    public string KeyId => _key.Id;

    /// <summary>How often the server under test fetched the JWKS.</summary>
    public int JwksFetches => _server.LogEntries.Count(e => e.RequestMessage?.Path == JwksPath);

    /// <summary>Points the app at this IdP (http on loopback, so metadata need not be https).</summary>
    public FhirApplication Protect(FhirApplication app) => app
        .With("Auth:Authority", Issuer)
        .With("Auth:Audience", Audience)
        .With("Auth:RequireHttpsMetadata", "false");

    /// <summary>A token as the IdP issues it; each part can be changed to make it wrong.</summary>
    public string Token(
        string scope,
        string? audience = Audience,
        string? issuer = null,
        DateTime? expires = null,
        IReadOnlyDictionary<string, object>? claims = null,
        SigningCredentials? signing = null)
    {
        var now = DateTime.UtcNow;
        var all = new Dictionary<string, object> { ["scope"] = scope, ["sub"] = "practitioner-1", ["client_id"] = "test-client" };
        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            all[name] = value;
        }

        var end = expires ?? now.AddMinutes(10);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = end.AddMinutes(-10),
            NotBefore = end.AddMinutes(-10),
            Expires = end,
            Claims = all,
            SigningCredentials = signing ?? _key.Credentials,
        });
    }

    /// <summary>Signed with a key the IdP never published, under the published key's id.</summary>
    public string ForgedToken(string scope) => Token(scope, signing: RsaKey.New(_key.Id).Credentials);

    /// <summary><c>alg: none</c>: the payload of a good token with no signature at all.</summary>
    public string UnsignedToken(string scope)
    {
        var payload = Token(scope).Split('.')[1];
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        return $"{header}.{payload}.";
    }

    /// <summary>HS256 with the IdP's public key as the shared secret: the classic algorithm-confusion forgery.</summary>
    public string HmacWithPublicKeyToken(string scope)
    {
        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_key.PublicPem)) { KeyId = _key.Id };
        return Token(scope, signing: new SigningCredentials(secret, SecurityAlgorithms.HmacSha256));
    }

    /// <summary>The IdP starts signing with a new key and publishes only that one.</summary>
    public void RotateKey()
    {
        _key = RsaKey.New();
        PublishKeys(_key);
    }

    /// <summary>The IdP stops answering (connection refused).</summary>
    public void GoDown() => _server.Stop();

    public void Dispose() => _server.Stop();

    private void PublishKeys(RsaKey key)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.Id });
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = key.Id, n = jwk.N, e = jwk.E } },
        });
        _server.Given(Request.Create().WithPath(JwksPath).UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(jwks));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record RsaKey(RSA Rsa, string Id)
    {
        public SigningCredentials Credentials => new(new RsaSecurityKey(Rsa) { KeyId = Id }, SecurityAlgorithms.RsaSha256);

        public string PublicPem => Rsa.ExportSubjectPublicKeyInfoPem();

        public static RsaKey New(string? id = null) => new(RSA.Create(2048), id ?? Guid.NewGuid().ToString("N"));
    }
}
