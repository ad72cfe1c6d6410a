using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;
using Microsoft.Net.Http.Headers;

namespace AllianceFhir.Api.Http;

/// <summary>Content negotiation as the R4 HTTP page describes it: <c>_format</c> overrides <c>Accept</c>.</summary>
public static class FhirMediaTypes
{
    public const string Json = "application/fhir+json";
    public const string Xml = "application/fhir+xml";

    public static readonly string[] All = [Json, Xml];

    public static string ContentType(FhirFormat format) =>
        (format == FhirFormat.Json ? Json : Xml) + "; charset=utf-8";

    /// <summary>The format to answer in; 406 when neither <c>_format</c> nor <c>Accept</c> allow JSON or XML.</summary>
    public static FhirFormat ResolveResponseFormat(HttpRequest request)
    {
        if (request.Query.TryGetValue("_format", out var formatValues) && formatValues.ToString() is { Length: > 0 } format)
        {
            return FromName(format) ?? throw NotAcceptable($"_format '{format}' is not supported; use json or xml");
        }

        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return FhirFormat.Json;
        }

        foreach (var mediaType in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (mediaType.Quality == 0)
            {
                continue;
            }

            var value = mediaType.MediaType.Value ?? string.Empty;
            if (value is "*/*" or "application/*")
            {
                return FhirFormat.Json;
            }

            if (FromMediaType(value) is FhirFormat f)
            {
                return f;
            }
        }

        throw NotAcceptable($"None of the Accept media types is supported; use {Json} or {Xml}");
    }

    /// <summary>The format of a request body; 415 for anything that is not FHIR JSON or XML.</summary>
    public static FhirFormat ResolveRequestFormat(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.ContentType) || !MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
        {
            throw UnsupportedMediaType("The request has no Content-Type; send application/fhir+json or application/fhir+xml");
        }

        return FromMediaType(contentType.MediaType.Value ?? string.Empty)
            ?? throw UnsupportedMediaType($"Content-Type '{contentType.MediaType}' is not supported; send {Json} or {Xml}");
    }

    private static FhirFormat? FromName(string name) => name.Trim() switch
    {
        "json" => FhirFormat.Json,
        "xml" => FhirFormat.Xml,
        var other => FromMediaType(other.Split(';')[0].Trim()),
    };

    private static FhirFormat? FromMediaType(string mediaType) => mediaType.ToLowerInvariant() switch
    {
        Json or "application/json" or "application/json+fhir" or "text/json" => FhirFormat.Json,
        Xml or "application/xml" or "application/xml+fhir" or "text/xml" => FhirFormat.Xml,
        _ => null,
    };

    private static FhirOperationException NotAcceptable(string message) =>
        FhirOperationException.Of(System.Net.HttpStatusCode.NotAcceptable, OperationOutcome.IssueType.NotSupported, message);

    private static FhirOperationException UnsupportedMediaType(string message) =>
        FhirOperationException.Of(System.Net.HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported, message);
}
