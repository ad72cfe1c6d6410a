using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Http;

/// <summary>
/// Writes a searchset Bundle. For compact JSON the entries' stored JSON goes out as stored, spliced into the Bundle
/// the Firely serializer writes around them: parsing and re-serializing every match would cost more than the query
/// itself. XML and <c>_pretty</c> take the ordinary path (parse the stored resources, serialize the whole Bundle).
/// </summary>
public sealed class SearchsetResponse(Bundle bundle, IReadOnlyList<string?> storedEntries) : IResult
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Stored JSON may nest deeper than System.Text.Json reads by default (see FhirSerialization.StoredMaxDepth).
    private static readonly JsonDocumentOptions StoredJson = new() { MaxDepth = FhirSerialization.StoredMaxDepth };

    public Bundle Bundle { get; } = bundle;

    /// <summary>Per entry, the stored JSON of its resource, or null where <see cref="Bundle"/> holds the resource.</summary>
    public IReadOnlyList<string?> StoredEntries { get; } = storedEntries;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var format = FhirNegotiation.ResponseFormat(httpContext);
        var pretty = request.Query.TryGetValue("_pretty", out var p) && string.Equals(p, "true", StringComparison.OrdinalIgnoreCase);
        if (format != FhirFormat.Json || pretty)
        {
            for (var i = 0; i < StoredEntries.Count; i++)
            {
                if (StoredEntries[i] is { } json)
                {
                    Bundle.Entry[i].Resource = FhirSerialization.ParseStored(json);
                }
            }

            await FhirResponse.Of(Bundle).ExecuteAsync(httpContext);
            return;
        }

        var node = JsonNode.Parse(FhirSerialization.JsonSerializer.SerializeToString(Bundle), documentOptions: StoredJson)!.AsObject();
        if (node["entry"] is JsonArray entries)
        {
            for (var i = 0; i < StoredEntries.Count; i++)
            {
                if (StoredEntries[i] is { } json)
                {
                    // R4 JSON order within an entry: fullUrl, resource, search.
                    entries[i]!.AsObject().Insert(1, "resource", JsonNode.Parse(json, documentOptions: StoredJson));
                }
            }
        }

        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = FhirMediaTypes.ContentType(format);
        await using var writer = new Utf8JsonWriter(httpContext.Response.Body, Compact);
        node.WriteTo(writer);
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
