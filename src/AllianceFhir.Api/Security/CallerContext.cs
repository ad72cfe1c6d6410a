using System.Security.Claims;
using AllianceFhir.Core.Security;

namespace AllianceFhir.Api.Security;

/// <summary>The caller of this request, as the access middleware established it.</summary>
public static class CallerContext
{
    private static readonly object Key = new();

    /// <summary>
    /// The caller of a request under the FHIR base. The access middleware sets it before any endpoint runs; reaching an
    /// endpoint without it is a wiring fault, so this throws rather than guessing a caller.
    /// </summary>
    public static AccessContext GetAccessContext(this HttpContext http) =>
        http.Items.TryGetValue(Key, out var value) && value is AccessContext caller
            ? caller
            : throw new InvalidOperationException("No caller context: the FHIR access middleware did not run for this request");

    internal static AccessContext? FindAccessContext(this HttpContext http) =>
        http.Items.TryGetValue(Key, out var value) ? value as AccessContext : null;

    internal static void SetAccessContext(this HttpContext http, AccessContext caller) => http.Items[Key] = caller;

    /// <summary>
    /// Scopes come from <c>scope</c> (space-separated, RFC 8693/9068) or <c>scp</c> (one claim per scope, or
    /// space-separated, as some authorization servers write it).
    /// </summary>
    public static AccessContext From(ClaimsPrincipal principal, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(options);
        var scopes = principal.FindAll("scope").Concat(principal.FindAll("scp")).Select(c => c.Value);
        return new AccessContext(
            principal.FindFirst("sub")?.Value,
            principal.FindFirst("client_id")?.Value ?? principal.FindFirst("azp")?.Value ?? principal.FindFirst("cid")?.Value,
            ParsedScopes.Of(scopes),
            principal.FindFirst(options.TenantClaim)?.Value,
            principal.FindFirst(options.PatientClaim)?.Value);
    }
}
