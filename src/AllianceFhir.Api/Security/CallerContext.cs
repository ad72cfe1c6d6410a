using System.Security.Claims;
using AllianceFhir.Core.Security;

namespace AllianceFhir.Api.Security;

/// <summary>The caller of this request, as the access middleware established it.</summary>
public static class CallerContext
{
    /// <summary>
    /// The caller of a request under the FHIR base. The access middleware sets it before any endpoint runs; reaching an
    /// endpoint without it is a wiring fault, so this throws rather than guessing a caller.
    /// </summary>
    /// <remarks>
    /// Kept as a request feature rather than in <c>HttpContext.Items</c>: the first use of Items builds its dictionary on
    /// every request, while Kestrel keeps a connection's list of extra features from one request to the next (together
    /// with the negotiated format and the host-filtering mark, ~1 % of a read by id's CPU; docs/performance.md).
    /// </remarks>
    public static AccessContext GetAccessContext(this HttpContext http) =>
        http.Features.Get<AccessContext>()
            ?? throw new InvalidOperationException("No caller context: the FHIR access middleware did not run for this request");

    internal static AccessContext? FindAccessContext(this HttpContext http) => http.Features.Get<AccessContext>();

    internal static void SetAccessContext(this HttpContext http, AccessContext caller) => http.Features.Set(caller);

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
