using AllianceFhir.Api.Http;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;
using Microsoft.IdentityModel.Tokens;

namespace AllianceFhir.Api.Security;

/// <summary>
/// 401 and 403 answers under the FHIR base: an RFC 6750 <c>WWW-Authenticate: Bearer</c> challenge, with an
/// OperationOutcome body as every FHIR error has.
/// </summary>
public static class BearerResponses
{
    private const string Realm = "alliancefhir";

    /// <summary>No token: RFC 6750 §3.1 says the challenge then carries no error code.</summary>
    public static Task MissingTokenAsync(HttpContext http) =>
        WriteAsync(http, StatusCodes.Status401Unauthorized, $"Bearer realm=\"{Realm}\"",
            OperationOutcome.IssueType.Login, "This request needs a bearer token (Authorization: Bearer …) from this server's authorization server");

    public static Task InvalidTokenAsync(HttpContext http, Exception? failure) =>
        InvalidTokenAsync(http, Describe(failure), failure is SecurityTokenExpiredException ? OperationOutcome.IssueType.Expired : OperationOutcome.IssueType.Security);

    public static Task InvalidTokenAsync(HttpContext http, string description, OperationOutcome.IssueType code = OperationOutcome.IssueType.Security) =>
        WriteAsync(http, StatusCodes.Status401Unauthorized,
            $"Bearer realm=\"{Realm}\", error=\"invalid_token\", error_description=\"{Quote(description)}\"",
            code, $"The bearer token was refused: {description}");

    public static Task InsufficientScopeAsync(HttpContext http, string neededScope, string reason) =>
        WriteAsync(http, StatusCodes.Status403Forbidden,
            $"Bearer realm=\"{Realm}\", error=\"insufficient_scope\", scope=\"{Quote(neededScope)}\"",
            OperationOutcome.IssueType.Forbidden, reason);

    /// <summary>
    /// Says what was wrong without echoing the token or its claims: the exception messages of the token handlers quote
    /// both, and a token is a credential.
    /// </summary>
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenInvalidAudienceException => "the token is not for this server (aud)",
        SecurityTokenInvalidIssuerException => "the token is from another issuer (iss)",
        SecurityTokenSignatureKeyNotFoundException => "the token is signed with a key the issuer does not publish (kid)",
        SecurityTokenInvalidSignatureException => "the token's signature is not valid",
        SecurityTokenInvalidAlgorithmException => "the token is signed with an algorithm this server does not accept",
        SecurityTokenNoExpirationException => "the token has no expiry (exp)",
        SecurityTokenMalformedException => "the token is not a well-formed JWT",
        null => "the token is not valid",
        _ when failure.GetType().Name.Contains("Signature", StringComparison.Ordinal) => "the token's signature is not valid",
        _ => "the token is not valid",
    };

    private static string Quote(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal);

    private static async Task WriteAsync(HttpContext http, int status, string challenge, OperationOutcome.IssueType code, string diagnostics)
    {
        http.Response.Headers.WWWAuthenticate = challenge;
        var response = FhirResponse.Of(Outcomes.Create(OperationOutcome.IssueSeverity.Error, code, diagnostics), status);
        try
        {
            await response.ExecuteAsync(http);
        }
        catch (FhirOperationException)
        {
            // The refusal must reach a client whose Accept or _format the server cannot serve: send it as JSON.
            http.Request.QueryString = QueryString.Empty;
            http.Request.Headers.Accept = FhirMediaTypes.Json;
            await response.ExecuteAsync(http);
        }
    }
}
