using System.Buffers;
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
        var (buffer, length) = await ReadBodyAsync(request, cancellationToken);
        string text;
        try
        {
            if (length == 0)
            {
                throw FhirOperationException.BadRequest("The request body is empty; a FHIR resource is required");
            }

            // Before Firely's recursive parsers run: they would overflow the stack on deep nesting.
            var body = buffer.AsSpan(0, length);
            text = format == FhirFormat.Json ? FhirBodyGuard.CheckJson(body) : FhirBodyGuard.CheckXml(body);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return format == FhirFormat.Json
            ? StrictParsing.Json(text, "body")
            : ReadableAsStored(StrictParsing.Xml(text, "body"));
    }

    /// <summary>
    /// Firely's XML parser accepts a few things its JSON parser refuses (a narrative with no text, which R4 forbids).
    /// Versions are stored as JSON and read back with the JSON parser, and one that cannot be read back is a 500 on
    /// every read, search and history page that holds it; so an XML body has to pass the JSON parser too.
    /// </summary>
    private static Resource ReadableAsStored(Resource resource)
    {
        StrictParsing.Json(FhirSerialization.JsonSerializer.SerializeToString(resource), "body");
        return resource;
    }

    /// <summary>
    /// The body in a pooled buffer (the caller returns it to <see cref="ArrayPool{T}.Shared"/>): a fresh 80 KB chunk
    /// and a growing MemoryStream per request were most of what reading a small body allocated.
    /// </summary>
    private async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > _limit)
        {
            throw TooLarge();
        }

        // One byte more than a declared length, so the end of the body is seen without growing the buffer.
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is long declared ? (int)Math.Min(declared + 1, Array.MaxLength) : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, Math.Min(_limit + 1, Array.MaxLength)));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > _limit)
                {
                    throw TooLarge();
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private FhirOperationException TooLarge() =>
        FhirOperationException.Of(
            HttpStatusCode.RequestEntityTooLarge,
            OperationOutcome.IssueType.TooCostly,
            $"The request body exceeds the limit of {_limit} bytes");
}
