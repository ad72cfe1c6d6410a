using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// The authorization server for the token scenarios: its discovery document and JWKS on loopback, and tokens signed
/// with its RSA key. The API fetches the keys once and then validates every request's token locally, which is the
/// cost the token scenarios measure.
/// </summary>
internal sealed class BenchIdentityProvider : IAsyncDisposable
{
    public const string Audience = "https://fhir.example.org/fhir";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key;

    private BenchIdentityProvider(WebApplication app, RsaSecurityKey key, string issuer)
    {
        _app = app;
        _key = key;
        Issuer = issuer;
    }

    public string Issuer { get; }

    public static async Task<BenchIdentityProvider> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var issuer = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();

        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "bench-key" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(issuer);
        var app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = issuer + "/jwks",
            ["authorization_endpoint"] = issuer + "/authorize",
            ["token_endpoint"] = issuer + "/token",
        }));
        app.MapGet("/jwks", () => Results.Json(new Dictionary<string, object>
        {
            ["keys"] = new[] { new Dictionary<string, string> { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = key.KeyId, ["n"] = jwk.N, ["e"] = jwk.E } },
        }));
        await app.StartAsync();
        return new BenchIdentityProvider(app, key, issuer);
    }

    /// <summary>A token as an EHR's backend service would hold it: one hour, the given scopes.</summary>
    public string Token(string scope) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddHours(1),
            Claims = new Dictionary<string, object> { ["scope"] = scope, ["sub"] = "bench-service", ["client_id"] = "bench-client" },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
