using System.Net;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace AllianceFhir.Api.Security;

/// <summary>The authorization server's endpoints as SMART apps should use them.</summary>
public sealed record SmartEndpointSet(
    string Issuer,
    string? AuthorizationEndpoint,
    string? TokenEndpoint,
    string? JwksUri,
    IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> TokenEndpointAuthMethods,
    IReadOnlyList<string> CodeChallengeMethods);

/// <summary>
/// Reads the issuer's OpenID discovery document through the JwtBearer handler's own configuration manager, so the
/// document is fetched and cached once for both token validation and SMART discovery; settings override its endpoints.
/// </summary>
public sealed class SmartEndpoints(IOptions<AuthOptions> auth, IOptionsMonitor<JwtBearerOptions> jwt)
{
    public async Task<SmartEndpointSet> ResolveAsync(CancellationToken cancellationToken)
    {
        var settings = auth.Value;
        var manager = jwt.Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager
            ?? throw new InvalidOperationException("JwtBearer has no configuration manager; is Auth:Authority set?");
        OpenIdConnectConfiguration discovery;
        try
        {
            discovery = await manager.GetConfigurationAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // The IdentityModel configuration manager reports an unreachable or unusable document this way.
            throw FhirOperationException.Of(
                HttpStatusCode.ServiceUnavailable,
                OperationOutcome.IssueType.Transient,
                "The authorization server's discovery document cannot be read right now; try again later");
        }

        return new SmartEndpointSet(
            string.IsNullOrEmpty(discovery.Issuer) ? settings.Authority! : discovery.Issuer,
            settings.AuthorizationEndpoint ?? discovery.AuthorizationEndpoint,
            settings.TokenEndpoint ?? discovery.TokenEndpoint,
            settings.JwksUri ?? discovery.JwksUri,
            [.. discovery.GrantTypesSupported],
            [.. discovery.TokenEndpointAuthMethodsSupported],
            discovery.CodeChallengeMethodsSupported.Count > 0 ? [.. discovery.CodeChallengeMethodsSupported] : ["S256"]);
    }
}
