using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Http;

/// <summary>
/// Writes a FHIR resource in the negotiated format. A stored version asked for as compact JSON is sent as the stored
/// bytes, with no parse or re-serialization.
/// </summary>
public sealed class FhirResponse : IResult
{
    private readonly Resource? _resource;
    private readonly ResourceVersion? _stored;

    private FhirResponse(int status, Resource? resource, ResourceVersion? stored)
    {
        StatusCode = status;
        _resource = resource;
        _stored = stored;
    }

    // FHIR text is full of '+', '<' and quotes; the default encoder's \u escapes are valid JSON but unreadable,
    // and the response is never embedded in HTML, so the relaxed encoder is safe here.
    private static readonly JsonWriterOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions IndentedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public int StatusCode { get; }

    /// <summary>Sets ETag, Last-Modified and (when given) Location for this version.</summary>
    public ResourceVersion? VersionHeaders { get; set; }

    public string? Location { get; set; }

    public static FhirResponse Of(Resource resource, int status = StatusCodes.Status200OK) => new(status, resource, null);

    public static FhirResponse Stored(ResourceVersion version, int status = StatusCodes.Status200OK) =>
        new(status, null, version) { VersionHeaders = version };

    public static FhirResponse Empty(int status) => new(status, null, null);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (VersionHeaders is { } v)
        {
            response.Headers.ETag = ETags.Weak(v.VersionId);
            response.Headers.LastModified = v.LastUpdated.ToString("R", CultureInfo.InvariantCulture);
        }

        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        if (_resource is null && _stored?.Json is null)
        {
            return;
        }

        var request = httpContext.Request;
        var format = FhirNegotiation.ResponseFormat(httpContext);
        var pretty = request.Query.TryGetValue("_pretty", out var p) && string.Equals(p, "true", StringComparison.OrdinalIgnoreCase);
        // An outcome explains what happened to the request; _summary/_elements select parts of the resource asked
        // for, and trimming an outcome by them sent a 400 with no issue at all. A Bundle the server builds (searchset,
        // history, batch/transaction response, operation output) is a container: R4 applies _summary/_elements to the
        // resources of a result set, which the endpoint does (ResourceSubsetting); trimming the Bundle itself dropped
        // every entry. A stored Bundle read by id still comes as _stored and is subset like any other read.
        var subset = _resource is not (OperationOutcome or Bundle);
        var summary = subset ? SummaryFrom(request) : SummaryType.False;
        var elements = subset ? ElementsFrom(request) : null;
        response.ContentType = FhirMediaTypes.ContentType(format);

        if (_stored?.Json is { } json && format == FhirFormat.Json && !pretty && summary == SummaryType.False && elements is null)
        {
            await response.WriteAsync(json, Encoding.UTF8, httpContext.RequestAborted);
            return;
        }

        var resource = _resource ?? FhirSerialization.ParseStored(_stored!.Json!);
        if (elements is not null || summary is SummaryType.True or SummaryType.Text or SummaryType.Data)
        {
            // A resource trimmed by _summary/_elements is incomplete: marked SUBSETTED as a search's matches are
            // (R4 search.html), so that a client does not take it for the whole resource and write it back. Trimmed in
            // one place, which leaves exactly one tag (the serializer on its own adds two).
            resource = ResourceSubsetting.Apply(resource, ModeOf(summary), elements ?? []);
            (summary, elements) = (SummaryType.False, null);
        }

        if (format == FhirFormat.Json)
        {
            await using var writer = new Utf8JsonWriter(response.Body, pretty ? IndentedJson : CompactJson);
            FhirSerialization.JsonSerializer.Serialize(resource, writer, summary, elements);
            await writer.FlushAsync(httpContext.RequestAborted);
            return;
        }

        var body = FhirSerialization.XmlSerializer.SerializeToBytes(resource, summary, elements, pretty);
        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }

    private static SummaryMode ModeOf(SummaryType summary) => summary switch
    {
        SummaryType.True => SummaryMode.True,
        SummaryType.Text => SummaryMode.Text,
        SummaryType.Data => SummaryMode.Data,
        _ => SummaryMode.False,
    };

    private static SummaryType SummaryFrom(HttpRequest request) =>
        request.Query["_summary"].ToString() switch
        {
            "true" => SummaryType.True,
            "text" => SummaryType.Text,
            "data" => SummaryType.Data,
            "count" => SummaryType.Count,
            _ => SummaryType.False,
        };

    private static string[]? ElementsFrom(HttpRequest request) =>
        request.Query["_elements"].ToString() is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
}
