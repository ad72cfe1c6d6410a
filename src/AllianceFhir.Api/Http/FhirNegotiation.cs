using AllianceFhir.Api.OpenApi;
using AllianceFhir.Core.Search;

namespace AllianceFhir.Api.Http;

/// <summary>
/// Decides the request's media types once, before its handler runs: a request the server cannot answer in a format
/// the client accepts (406), or whose body it cannot read (415), is refused before anything is written. A write that
/// committed and then answered 406 would be retried by the client and stored twice. The representation asked for by
/// <c>_summary</c> is checked here too: a value R4 does not define is the 400 a search gives it (with either
/// <c>Prefer: handling</c>, which concerns unknown parameters, not malformed values), for a read as for a search.
/// </summary>
public static class FhirNegotiation
{
    private static readonly object FormatKey = new();

    /// <summary>The endpoint filter for the /fhir route group.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        // An empty body has no media type to refuse (operations whose parameters are all optional take none).
        if (http.GetEndpoint()?.Metadata.GetMetadata<FhirBodyMetadata>() is not null && HasBody(http.Request))
        {
            FhirMediaTypes.ResolveRequestFormat(http.Request);
        }

        http.Items[FormatKey] = FhirMediaTypes.ResolveResponseFormat(http.Request);
        if (http.Request.Query.TryGetValue("_summary", out var summaries))
        {
            foreach (var summary in summaries)
            {
                ResourceSubsetting.ParseSummary(summary ?? string.Empty);
            }
        }

        return await next(context);
    }

    public static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>The negotiated response format; negotiates now for a response written outside the filter.</summary>
    public static FhirFormat ResponseFormat(HttpContext http) =>
        http.Items.TryGetValue(FormatKey, out var format) && format is FhirFormat negotiated
            ? negotiated
            : FhirMediaTypes.ResolveResponseFormat(http.Request);
}
