using System.Security.Claims;

namespace AllianceFhir.Api.Security;

/// <summary>
/// A request whose bearer token <see cref="CachingTokenHandler"/> has already accepted skips the authentication
/// handler altogether: on a cache hit the handler would only have read the header, fetched its configuration, asked
/// the same cache and wrapped the cloned identity, about 5 % of a read's CPU (docs/performance.md). The header is read
/// the way the JwtBearer handler reads it; any other shape, and every token not in the cache, goes through the handler,
/// which validates it in full and remembers it.
/// </summary>
internal static class AcceptedBearerToken
{
    private const string Scheme = "Bearer ";

    public static bool TryFind(
        HttpContext http,
        TokenValidationCache cache,
        TimeProvider clock,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClaimsPrincipal? principal,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TokenValidationCache.Entry? entry)
    {
        principal = null;
        entry = null;
        var headers = http.Request.Headers.Authorization;
        if (headers.Count != 1 || headers[0] is not { } header || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var token = header.AsSpan(Scheme.Length).Trim();
        if (token.Length == 0 || !cache.TryGet(token, clock.GetUtcNow(), out entry))
        {
            return false;
        }

        principal = entry.Principal ??= new ClaimsPrincipal(entry.Identity.Clone());
        return true;
    }
}
