using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;
using Microsoft.Net.Http.Headers;

namespace AllianceFhir.Api.Http;

/// <summary>Content negotiation as the R4 HTTP page describes it: <c>_format</c> overrides <c>Accept</c>.</summary>
/// <remarks>
/// The <c>fhirVersion</c> media-type parameter (R4 http.html, "FHIR Version Parameter") names the FHIR release a
/// request's content and interaction follow, as publication and major version. This server speaks R4 only
/// (<see cref="FhirVersion"/>): an <c>Accept</c> (or <c>_format</c>) that asks only for another version is a 406, a
/// body declared in another version a 415, as the same page assigns those codes to formats the server does not support.
/// Without the parameter the media type means R4, as it always has here.
/// </remarks>
public static class FhirMediaTypes
{
    public const string Json = "application/fhir+json";
    public const string Xml = "application/fhir+xml";

    /// <summary>The <c>fhirVersion</c> parameter value of FHIR R4 (the spec's "publication and major version").</summary>
    public const string FhirVersion = "4.0";

    public static readonly string[] All = [Json, Xml];

    public static string ContentType(FhirFormat format) =>
        (format == FhirFormat.Json ? Json : Xml) + "; charset=utf-8";

    /// <summary>The format to answer in; 406 when neither <c>_format</c> nor <c>Accept</c> allow JSON or XML.</summary>
    public static FhirFormat ResolveResponseFormat(HttpRequest request)
    {
        if (request.Query.TryGetValue("_format", out var formatValues) && formatValues.ToString() is { Length: > 0 } format)
        {
            var named = FromName(format) ?? throw NotAcceptable($"_format '{format}' is not supported; use json or xml");
            if (MediaTypeHeaderValue.TryParse(format, out var formatType) && OtherVersion(formatType) is { } asked)
            {
                throw NotAcceptable(OtherVersionMessage("_format", asked));
            }

            return named;
        }

        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return FhirFormat.Json;
        }

        string? otherVersion = null;
        foreach (var mediaType in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (mediaType.Quality == 0)
            {
                continue;
            }

            if (OtherVersion(mediaType) is { } asked)
            {
                otherVersion ??= asked;
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

        throw NotAcceptable(otherVersion is not null
            ? OtherVersionMessage("Accept", otherVersion)
            : $"None of the Accept media types is supported; use {Json} or {Xml}");
    }

    /// <summary>The format of a request body; 415 for anything that is not FHIR JSON or XML.</summary>
    public static FhirFormat ResolveRequestFormat(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.ContentType) || !MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
        {
            throw UnsupportedMediaType("The request has no Content-Type; send application/fhir+json or application/fhir+xml");
        }

        var format = FromMediaType(contentType.MediaType.Value ?? string.Empty)
            ?? throw UnsupportedMediaType($"Content-Type '{contentType.MediaType}' is not supported; send {Json} or {Xml}");
        return OtherVersion(contentType) is { } declared
            ? throw UnsupportedMediaType(OtherVersionMessage("Content-Type", declared))
            : format;
    }

    /// <summary>The <c>fhirVersion</c> a media type names when it is not R4's; null when it names R4 or none.</summary>
    private static string? OtherVersion(MediaTypeHeaderValue mediaType)
    {
        // Parameter names are case-insensitive (RFC 9110 8.3.1); the value is compared as the spec writes it.
        var parameter = mediaType.Parameters.FirstOrDefault(p => p.Name.Equals("fhirVersion", StringComparison.OrdinalIgnoreCase));
        var value = parameter is null ? null : HeaderUtilities.RemoveQuotes(parameter.Value).Value;
        return value is null || IsR4(value) ? null : value;
    }

    /// <summary>
    /// R4 as the spec writes it (<c>4.0</c>), or one of R4's own releases (<c>4.0.1</c>): a client that names the full
    /// version it was built on asks for the same release, and refusing it would fail clients the spec's wording only
    /// meant to be shorter.
    /// </summary>
    private static bool IsR4(string value) =>
        value == FhirVersion || (value.StartsWith(FhirVersion + ".", StringComparison.Ordinal) && value.Length > FhirVersion.Length + 1 && value[(FhirVersion.Length + 1)..].All(char.IsAsciiDigit));

    private static string OtherVersionMessage(string header, string version) =>
        $"{header} asks for fhirVersion={version}; this server speaks FHIR R4 only (fhirVersion={FhirVersion}, or no fhirVersion parameter)";

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
