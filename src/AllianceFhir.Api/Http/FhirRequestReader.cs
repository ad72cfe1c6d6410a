using System.Net;
using System.Text.Json;
using System.Xml;
using AllianceFhir.Api.Configuration;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Http;

/// <summary>
/// Reads a request body as a FHIR resource: media type (415), size (413), the body checks of <see cref="FhirBodyGuard"/>
/// (400), strict parse (400).
/// </summary>
public sealed class FhirRequestReader(IOptions<FhirServerOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task<Resource> ReadResourceAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var format = FhirMediaTypes.ResolveRequestFormat(request);
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body.Length == 0)
        {
            throw FhirOperationException.BadRequest("The request body is empty; a FHIR resource is required");
        }

        // Before Firely's recursive parsers run: they would overflow the stack on deep nesting.
        var text = format == FhirFormat.Json ? FhirBodyGuard.CheckJson(body.Span) : FhirBodyGuard.CheckXml(body.Span);
        try
        {
            return format == FhirFormat.Json
                ? FhirSerialization.JsonDeserializer.DeserializeResource(text)
                : ReadableAsStored(FhirSerialization.XmlDeserializer.DeserializeResource(text));
        }
        catch (DeserializationFailedException ex)
        {
            var outcome = ex.ToOperationOutcome();
            foreach (var issue in outcome.Issue)
            {
                issue.Severity = OperationOutcome.IssueSeverity.Error;
            }

            throw new FhirOperationException(HttpStatusCode.BadRequest, outcome);
        }
        catch (Exception ex) when (ex is JsonException or XmlException or FormatException)
        {
            throw FhirOperationException.Of(
                HttpStatusCode.BadRequest,
                OperationOutcome.IssueType.Structure,
                $"The body is not well-formed {(format == FhirFormat.Json ? "JSON" : "XML")}: {ex.Message}");
        }
    }

    /// <summary>
    /// Firely's XML parser accepts a few things its JSON parser refuses (a narrative with no text, which R4 forbids).
    /// Versions are stored as JSON and read back with the JSON parser, and one that cannot be read back is a 500 on
    /// every read, search and history page that holds it; so an XML body has to pass the JSON parser too.
    /// </summary>
    private static Resource ReadableAsStored(Resource resource)
    {
        FhirSerialization.JsonDeserializer.DeserializeResource(FhirSerialization.JsonSerializer.SerializeToString(resource));
        return resource;
    }

    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > _limit)
        {
            throw TooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _limit)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private FhirOperationException TooLarge() =>
        FhirOperationException.Of(
            HttpStatusCode.RequestEntityTooLarge,
            OperationOutcome.IssueType.TooCostly,
            $"The request body exceeds the limit of {_limit} bytes");
}
