using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Import;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Import;

/// <summary>
/// The <c>Parameters</c> body of <c>$import</c>, as Microsoft's FHIR server reads it: <c>inputFormat</c>
/// (<c>application/fhir+ndjson</c>, optional), <c>mode</c> (only <c>IncrementalLoad</c>: resources are upserted, nothing
/// is cleared), and one or more <c>input</c> parts with <c>url</c> and optional <c>type</c>. Anything else is refused,
/// so a client never believes an option was honoured.
/// </summary>
public static class ImportParameters
{
    public static IReadOnlyList<ImportInput> Read(Resource body, IReadOnlyList<string> allowedPrefixes)
    {
        if (body is not Parameters parameters)
        {
            throw FhirOperationException.BadRequest(
                $"The body of $import is a Parameters resource (or, with Content-Type {ImportEndpoints.NdjsonMediaType}, the NDJSON file), not a {body.TypeName}",
                "resourceType");
        }

        var inputs = new List<ImportInput>();
        for (var i = 0; i < parameters.Parameter.Count; i++)
        {
            var parameter = parameters.Parameter[i];
            var where = $"Parameters.parameter[{i}]";
            switch (parameter.Name)
            {
                case "inputFormat" when parameter.Value is Code or FhirString && parameter.Value.ToString() == ImportEndpoints.NdjsonMediaType:
                    break;
                case "inputFormat":
                    throw FhirOperationException.BadRequest($"Only inputFormat {ImportEndpoints.NdjsonMediaType} is supported", where);
                case "mode" when parameter.Value?.ToString() == "IncrementalLoad":
                    break;
                case "mode":
                    throw FhirOperationException.BadRequest("Only mode IncrementalLoad is supported: imported resources are created or updated, nothing is cleared", where);
                case "input":
                    inputs.Add(Input(parameter, where, allowedPrefixes));
                    break;
                default:
                    throw FhirOperationException.BadRequest($"$import has no parameter '{parameter.Name}'", where);
            }
        }

        return inputs.Count > 0
            ? inputs
            : throw FhirOperationException.BadRequest("$import needs at least one 'input' part with a 'url'", "Parameters.parameter");
    }

    private static ImportInput Input(Parameters.ParameterComponent input, string where, IReadOnlyList<string> allowedPrefixes)
    {
        string? url = null;
        string? type = null;
        foreach (var part in input.Part)
        {
            switch (part.Name)
            {
                case "url" when part.Value is FhirUri or FhirUrl or FhirString:
                    url = part.Value.ToString();
                    break;
                case "type" when part.Value is Code or FhirString:
                    type = part.Value.ToString();
                    break;
                default:
                    throw FhirOperationException.BadRequest($"An input has no part '{part.Name}' of this type (url: uri, type: code)", $"{where}.part");
            }
        }

        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw FhirOperationException.BadRequest("Each input needs a 'url' part with an absolute http(s) URL", $"{where}.part");
        }

        if (!allowedPrefixes.Any(p => url.StartsWith(p, StringComparison.Ordinal)))
        {
            throw FhirOperationException.Of(
                System.Net.HttpStatusCode.Forbidden,
                OperationOutcome.IssueType.Forbidden,
                allowedPrefixes.Count == 0
                    ? "This server fetches no input URLs (Import:AllowedUrlPrefixes is empty); upload the file instead"
                    : $"This server fetches inputs only from the prefixes in Import:AllowedUrlPrefixes; {url} is not under one",
                $"{where}.part");
        }

        return new ImportInput(url, null, type);
    }
}
