using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AllianceFhir.Api.Security;

/// <summary>
/// Token validation is ASP.NET Core's JwtBearer handler: signing keys come from the issuer's discovery document and
/// JWKS, cached by its configuration manager (refetched every 12 h, at once on an unknown <c>kid</c> but at most every
/// 5 minutes, and the last good keys are kept while the issuer is unreachable). IdentityModel 8 refetches in the
/// background, so the one request that first shows a rotated key's <c>kid</c> is refused (401 invalid_token) and the
/// requests after it are accepted; identity providers publish a new key before they sign with it, which the 12-hour
/// refresh picks up.
/// </summary>
/// <remarks>
/// A token that passed is remembered by <see cref="CachingTokenHandler"/> until its expiry, so a client's repeated
/// requests skip the signature check.
/// </remarks>
public sealed class JwtBearerSetup(IOptions<AuthOptions> auth, TokenValidationCache cache, TimeProvider clock) : IConfigureNamedOptions<JwtBearerOptions>
{
    /// <summary>A hung IdP must not hold requests for the default minute while keys are refetched.</summary>
    private static readonly TimeSpan BackchannelTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Asymmetric algorithms only: an HMAC token "signed" with the issuer's public key must not verify.</summary>
    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name != JwtBearerDefaults.AuthenticationScheme || auth.Value.IsOpen)
        {
            return;
        }

        var settings = auth.Value;
        options.Authority = settings.Authority;
        options.Audience = settings.Audience;
        options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        options.RefreshOnIssuerKeyNotFound = true;
        options.BackchannelTimeout = BackchannelTimeout;

        // Keep the token's own claim names (scope, scp, sub, tenant, patient) rather than the WS-* URIs.
        options.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new CachingTokenHandler(new JsonWebTokenHandler { MapInboundClaims = false }, cache, clock));
        // The pages under /app take the same token from their cookie or the sign-in form.
        options.Events = new JwtBearerEvents { OnMessageReceived = App.Clinician.PageTokens.OnMessageReceivedAsync };
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidAudience = settings.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            ValidAlgorithms = Algorithms,
            NameClaimType = "sub",
        };
    }
}
