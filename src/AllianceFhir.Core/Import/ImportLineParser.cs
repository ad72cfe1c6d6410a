using System.Net;
using System.Text.Json;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Core.Import;

/// <summary>
/// Reads one NDJSON line as a REST body is read: the body checks of <see cref="FhirBodyGuard"/> (UTF-8, characters,
/// nesting, exact decimals), then the strict Firely parser. Failures are the same 400 outcomes a REST write gets.
/// </summary>
public static class ImportLineParser
{
    public static Resource Parse(ReadOnlySpan<byte> line)
    {
        var text = FhirBodyGuard.CheckJson(line);
        return StrictParsing.Json(text, "line");
    }

    /// <summary>
    /// The NDJSON record of a refused line: the outcome the REST write would have answered, each issue saying which line
    /// (<c>details.text</c>) and, as an extension-free hint, the HTTP status the REST call would have got.
    /// </summary>
    public static OperationOutcome Refusal(long line, string? resource, FhirOperationException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var outcome = (OperationOutcome)failure.Outcome.DeepCopy();
        var where = resource is null ? $"line {line}" : $"line {line} ({resource})";
        foreach (var issue in outcome.Issue)
        {
            issue.Details ??= new CodeableConcept();
            issue.Details.Text = $"{where}: refused as a REST write would be, with HTTP {(int)failure.Status}";
        }

        return outcome;
    }
}
