using System.Text.Json.Serialization;
using AllianceFhir.Api.Http;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Security;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Security;

/// <summary><c>GET [base]/.well-known/smart-configuration</c> (SMART App Launch 2.x, section "Conformance").</summary>
public static class SmartConfigurationEndpoint
{
    /// <summary>
    /// What this resource server itself decides; the client-authentication capabilities belong to the authorization
    /// server and are read from its discovery document. <c>permission-patient</c>: patient/ scopes are applied to the
    /// token's patient's compartment. The launch capabilities (<c>launch-ehr</c>, <c>context-ehr-patient</c>, …) are
    /// not claimed: the launch and the patient context it yields are the authorization server's, and this server only
    /// reads the resulting patient claim.
    /// </summary>
    public static readonly IReadOnlyList<string> Capabilities =
        ["launch-standalone", "client-public", "client-confidential-symmetric", "permission-v1", "permission-v2", "permission-user", "permission-patient"];

    /// <summary>
    /// The resource scopes this server honours; every <c>user/</c>, <c>system/</c> and <c>patient/</c> scope of a stored
    /// type works too, as do v2 scopes with a search.
    /// </summary>
    public static readonly IReadOnlyList<string> ScopesSupported =
    [
        "openid", "fhirUser", "offline_access",
        "patient/*.rs", "patient/*.cruds", "patient/*.read", "patient/*.write",
        "user/*.rs", "user/*.cruds", "user/*.read", "user/*.write", "user/*.*",
        "system/*.rs", "system/*.cruds", "system/*.read", "system/*.write", "system/*.*",
    ];

    public static void MapSmartConfiguration(this IEndpointRouteBuilder app)
    {
        app.MapGet($"{FhirUrls.BasePath}/{RestRequestClassifier.SmartConfigurationPath}", GetAsync)
            .WithName("smart-configuration")
            .WithTags("System")
            .WithSummary("SMART on FHIR configuration: where apps get tokens, and the scopes this server understands")
            .Produces<SmartConfiguration>(StatusCodes.Status200OK, "application/json");
    }

    public static async Task<IResult> GetAsync(IOptions<AuthOptions> auth, SmartEndpoints endpoints, CancellationToken ct)
    {
        if (auth.Value.IsOpen)
        {
            throw FhirOperationException.NotFound("This Development server runs open, without an authorization server: there is no SMART configuration");
        }

        var uris = await endpoints.ResolveAsync(ct);
        return TypedResults.Json(new SmartConfiguration(
            uris.Issuer,
            uris.JwksUri,
            uris.AuthorizationEndpoint,
            uris.TokenEndpoint,
            uris.GrantTypes.Count > 0 ? uris.GrantTypes : ["authorization_code", "client_credentials"],
            uris.TokenEndpointAuthMethods,
            ScopesSupported,
            ["code"],
            uris.CodeChallengeMethods,
            Capabilities));
    }

    /// <summary>The document's members, named as the SMART specification names them.</summary>
    public sealed record SmartConfiguration(
        [property: JsonPropertyName("issuer")] string Issuer,
        [property: JsonPropertyName("jwks_uri")] string? JwksUri,
        [property: JsonPropertyName("authorization_endpoint")] string? AuthorizationEndpoint,
        [property: JsonPropertyName("token_endpoint")] string? TokenEndpoint,
        [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
        [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
        [property: JsonPropertyName("scopes_supported")] IReadOnlyList<string> ScopesSupported,
        [property: JsonPropertyName("response_types_supported")] IReadOnlyList<string> ResponseTypesSupported,
        [property: JsonPropertyName("code_challenge_methods_supported")] IReadOnlyList<string> CodeChallengeMethodsSupported,
        [property: JsonPropertyName("capabilities")] IReadOnlyList<string> Capabilities);
}
