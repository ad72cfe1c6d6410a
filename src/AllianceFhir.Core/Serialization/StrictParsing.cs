using System.Net;
using System.Text.Json;
using System.Xml;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace AllianceFhir.Core.Serialization;

/// <summary>
/// Text that passed <see cref="FhirBodyGuard"/> parsed by the strict Firely parsers, every way they can refuse it turned
/// into the same 400 outcome: a REST body, a Bundle and an NDJSON import line are refused alike.
/// </summary>
public static class StrictParsing
{
    public static Resource Json(string text, string what) => Parse(() => FhirSerialization.JsonDeserializer.DeserializeResource(text), "JSON", what);

    public static Resource Xml(string text, string what) => Parse(() => FhirSerialization.XmlDeserializer.DeserializeResource(text), "XML", what);

    private static Resource Parse(Func<Resource> parse, string format, string what)
    {
        try
        {
            return parse();
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
        catch (CodedException ex)
        {
            // Firely's own validation, run inside the parser, can throw instead of reporting: a single object where
            // "contained" needs an array makes DomainResource.Contained throw while dom-2..5 are checked.
            throw FhirOperationException.Of(
                HttpStatusCode.BadRequest,
                OperationOutcome.IssueType.Structure,
                $"The {what} is not a valid FHIR resource: {ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException && ThrownByFirely(ex))
        {
            // Firely's deserializer throws these for element shapes it did not expect where it reports others ("_given"
            // given as one object where given repeats). The body guard refuses the shapes it can see without the model
            // (FhirBodyGuard); the rest are the parser's refusal all the same, and none of our code runs inside it.
            throw FhirOperationException.Of(
                HttpStatusCode.BadRequest,
                OperationOutcome.IssueType.Structure,
                $"The {what} is not a valid FHIR resource: an element has a shape the FHIR parser cannot read ({ex.Message})");
        }
        catch (Exception ex) when (ex is JsonException or XmlException or FormatException)
        {
            throw FhirOperationException.Of(
                HttpStatusCode.BadRequest,
                OperationOutcome.IssueType.Structure,
                $"The {what} is not well-formed {format}: {ex.Message}");
        }
    }

    private static bool ThrownByFirely(Exception ex) =>
        ex.TargetSite?.DeclaringType?.Namespace?.StartsWith("Hl7.Fhir", StringComparison.Ordinal) == true;
}
