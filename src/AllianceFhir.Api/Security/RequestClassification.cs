using AllianceFhir.Core.Security;

namespace AllianceFhir.Api.Security;

/// <summary>
/// The REST shape of a request under the FHIR base (<see cref="RestRequestClassifier"/>), classified once: the audit
/// middleware (outside the exception handler) and the access middleware (inside it) both decide by it, and classifying
/// twice cost a read by id ~0.5 % of its CPU (docs/performance.md). Kept in the request's features (not in <c>Items</c>, see
/// <see cref="CallerContext"/>), so nothing outlives the request.
/// </summary>
public static class RequestClassification
{
    /// <param name="http">The request.</param>
    /// <param name="below">Its path below the FHIR base.</param>
    public static RestRequest Of(HttpContext http, PathString below)
    {
        if (http.Features.Get<RestRequest>() is { } known)
        {
            return known;
        }

        var request = RestRequestClassifier.Classify(
            http.Request.Method,
            below.Value ?? string.Empty,
            SystemSearchTypes(http, below),
            http.Request.Headers.ContainsKey("If-None-Exist"));
        http.Features.Set(request);
        return request;
    }

    /// <summary>A whole-system search's <c>_type</c> values (empty: every type); empty for any other URL.</summary>
    private static List<string> SystemSearchTypes(HttpContext http, PathString below) =>
        below.Value is null or "" or "/"
            ? [.. http.Request.Query["_type"].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))]
            : [];
}
