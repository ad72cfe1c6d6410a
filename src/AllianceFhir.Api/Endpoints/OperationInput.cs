using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using AllianceFhir.Api.Http;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.Features;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// An operation's input as R4 defines it (operations.html): POST carries a Parameters resource (or, for an operation
/// with a single resource input, that resource); GET, allowed where the operation changes nothing and its parameters
/// are primitive, carries them in the query string. Where every parameter is optional, POST may send no body or an
/// empty Parameters resource.
/// </summary>
internal static class OperationInput
{
    /// <summary>The body, or null when the request has none (no Content-Length body, or an empty one).</summary>
    public static async Task<Resource?> ReadOptionalBodyAsync(HttpContext http, FhirRequestReader reader, CancellationToken ct)
    {
        var request = http.Request;
        var hasBody = request.ContentLength is > 0
            || (request.ContentLength is null && http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);
        if (HttpMethods.IsGet(request.Method) || !hasBody || await IsEmptyParametersAsync(request, ct))
        {
            return null;
        }

        return await reader.ReadResourceAsync(request, ct);
    }

    /// <summary>
    /// Whether the body is a Parameters resource with no parameters. The strict parser refuses it (FHIR forbids empty
    /// elements, and R4 gives Parameters no required element), yet it is how a client says "no parameters" to an
    /// operation that takes a Parameters body; so it is recognised here, and anything else goes to the parser.
    /// </summary>
    private static async Task<bool> IsEmptyParametersAsync(HttpRequest request, CancellationToken ct)
    {
        const int longestEmpty = 256;
        if (request.ContentLength > longestEmpty)
        {
            return false;
        }

        var format = FhirMediaTypes.ResolveRequestFormat(request);
        request.EnableBuffering();
        var buffer = new byte[longestEmpty + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
        {
            length += read;
        }

        request.Body.Position = 0;
        if (length > longestEmpty)
        {
            return false;
        }

        try
        {
            if (format == FhirFormat.Json)
            {
                // Names are compared, never decoded: decoding an escaped lone surrogate throws, and such a body is
                // for the body guard to refuse.
                using var json = JsonDocument.Parse(buffer.AsMemory(0, length));
                var root = json.RootElement;
                return root.ValueKind == JsonValueKind.Object
                    && root.EnumerateObject().Count() == 1
                    && root.EnumerateObject().First().NameEquals("resourceType"u8)
                    && root.GetProperty("resourceType"u8) is { ValueKind: JsonValueKind.String } type
                    && type.ValueEquals("Parameters"u8);
            }

            var xml = XElement.Parse(Encoding.UTF8.GetString(buffer, 0, length));
            return xml.Name == XName.Get("Parameters", "http://hl7.org/fhir")
                && !xml.HasElements
                && xml.Attributes().All(a => a.IsNamespaceDeclaration)
                && string.IsNullOrWhiteSpace(xml.Value);
        }
        catch (Exception ex) when (ex is JsonException or XmlException)
        {
            return false;
        }
    }

    /// <summary>The body as Parameters (none → empty); any other resource type is a 400.</summary>
    public static async Task<Parameters> ReadOptionalParametersAsync(HttpContext http, FhirRequestReader reader, string operation, CancellationToken ct) =>
        await ReadOptionalBodyAsync(http, reader, ct) switch
        {
            null => new Parameters(),
            Parameters parameters => parameters,
            var other => throw FhirOperationException.BadRequest($"{operation} takes a Parameters resource, not a {other.TypeName}"),
        };

    /// <summary>Refuses query parameters the operation does not take by GET, so a typo or a complex parameter is not silently dropped.</summary>
    public static void RejectUnknownQueryParameters(HttpRequest request, string operation, params string[] known)
    {
        // The format parameters belong to the HTTP exchange, not to any operation.
        foreach (var key in request.Query.Keys)
        {
            if (!ResultParameters.Format.Contains(key) && !known.Contains(key, StringComparer.Ordinal))
            {
                throw FhirOperationException.BadRequest(
                    $"'{key}' is not a parameter {operation} takes in the query string (GET carries only its primitive parameters: {string.Join(", ", known)}; send the others as a Parameters body with POST)");
            }
        }
    }

    /// <summary>The single value of a query parameter, or null; repeating a parameter that takes one value is a 400.</summary>
    public static string? Single(HttpRequest request, string name)
    {
        var values = request.Query[name];
        return values.Count switch
        {
            0 => null,
            1 => values[0] is { Length: > 0 } value ? value : throw FhirOperationException.BadRequest($"Parameter '{name}' is empty", name),
            _ => throw FhirOperationException.BadRequest($"Parameter '{name}' may appear only once", name),
        };
    }
}
