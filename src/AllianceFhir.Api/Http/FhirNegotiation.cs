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
/// <remarks>
/// A middleware at the end of the pipeline, for the endpoints of the /fhir route group (<see cref="Negotiated"/>), rather
/// than an endpoint filter on the group: with a filter, every endpoint's handler was invoked through the filter pipeline,
/// its arguments boxed into an invocation context and its result handled as an object, about 1 % of a read by id's CPU
/// for nothing the check needs (docs/performance.md, "Reads by id, sixth pass"). It runs where the filter ran: after
/// routing, the access check and the rate limiter, inside the exception handler.
/// </remarks>
public static class FhirNegotiation
{
    /// <summary>Marks the endpoints whose requests are negotiated here (the /fhir route group's).</summary>
    public sealed class Negotiated
    {
        public static readonly Negotiated Endpoints = new();

        private Negotiated()
        {
        }
    }

    /// <summary>Call after the access middleware and the rate limiter, so a refused caller learns nothing about formats.</summary>
    public static WebApplication UseFhirNegotiation(this WebApplication app)
    {
        app.Use(next => http =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<Negotiated>() is not null)
            {
                Negotiate(http);
            }

            return next(http);
        });
        return app;
    }

    private static void Negotiate(HttpContext http)
    {
        // An empty body has no media type to refuse (operations whose parameters are all optional take none).
        if (http.GetEndpoint()?.Metadata.GetMetadata<FhirBodyMetadata>() is not null && HasBody(http.Request))
        {
            FhirMediaTypes.ResolveRequestFormat(http.Request);
        }

        http.Features.Set(NegotiatedFormat.Of(FhirMediaTypes.ResolveResponseFormat(http.Request)));
        if (http.Request.Query.TryGetValue("_summary", out var summaries))
        {
            foreach (var summary in summaries)
            {
                ResourceSubsetting.ParseSummary(summary ?? string.Empty);
            }
        }
    }

    public static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>The negotiated response format; negotiates now for a response written outside the middleware.</summary>
    public static FhirFormat ResponseFormat(HttpContext http) =>
        http.Features.Get<NegotiatedFormat>()?.Format ?? FhirMediaTypes.ResolveResponseFormat(http.Request);

    /// <summary>The request feature that carries the outcome (one instance per format: nothing allocated per request).</summary>
    private sealed class NegotiatedFormat
    {
        private static readonly NegotiatedFormat Json = new(FhirFormat.Json);
        private static readonly NegotiatedFormat Xml = new(FhirFormat.Xml);

        private NegotiatedFormat(FhirFormat format)
        {
            Format = format;
        }

        public FhirFormat Format { get; }

        public static NegotiatedFormat Of(FhirFormat format) => format switch
        {
            FhirFormat.Json => Json,
            FhirFormat.Xml => Xml,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "No negotiated-format instance for this format"),
        };
    }
}
