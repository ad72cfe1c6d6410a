using System.Text;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Serialization;

/// <summary>
/// Checks a request body before any recursive parser sees it, the same way for every input path (REST bodies,
/// Bundles, Parameters, NDJSON lines): strict UTF-8, only characters FHIR strings and XML 1.0 allow, a root that is a
/// concrete resource, and element nesting no deeper than <see cref="MaxNestingDepth"/>. Firely's deserializers
/// recurse once per nesting level, so a deep body would overflow the stack and end the process; these checks use
/// forward-only readers that do not recurse.
/// </summary>
public static partial class FhirBodyGuard
{
    /// <summary>
    /// How deeply FHIR elements may nest, counted identically in both formats: the resource is level 1 and every
    /// element that has elements of its own (a JSON object; an XML element with child elements) adds one. A
    /// primitive's value is not a level; a resource inside an element (contained, Bundle.entry.resource,
    /// Parameters.parameter.resource) is that element's level, as its JSON object is; XHTML narrative is text in
    /// JSON and is not counted. In JSON a repeated element takes two levels (array and object), and System.Text.Json
    /// (Firely's reader, and most clients') stops at 64: 31 keeps the deepest accepted resource readable even inside
    /// a searchset or history Bundle, which adds three JSON levels.
    /// </summary>
    public const int MaxNestingDepth = 31;

    /// <summary>
    /// How deeply XHTML narrative may nest inside its <c>div</c> (the div is level 1), in both formats: a string in JSON,
    /// markup in XML. No parser here recurses over it, but both formats must accept the same resources.
    /// </summary>
    public const int MaxXhtmlDepth = 32;

    /// <summary>A bound on raw nesting that valid FHIR within <see cref="MaxNestingDepth"/> never reaches.</summary>
    private const int MaxRawDepth = 2 * MaxNestingDepth;

    private const string FhirNamespace = "http://hl7.org/fhir";

    private static readonly System.Buffers.SearchValues<char> NumberCharacters = System.Buffers.SearchValues.Create("0123456789.eE+-");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes and checks a JSON body; the text returned is safe to hand to the Firely JSON deserializer.</summary>
    public static string CheckJson(ReadOnlySpan<byte> body)
    {
        var text = Decode(body);
        CheckCharacters(text);
        ScanJson(body);
        return text;
    }

    /// <summary>Decodes and checks an XML body; the text returned is safe to hand to the Firely XML deserializer.</summary>
    public static string CheckXml(ReadOnlySpan<byte> body)
    {
        var text = Decode(body);
        CheckCharacters(text);
        ScanXml(text);
        return text;
    }

    private static string Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            return StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException ex)
        {
            // Replacing bad bytes with U+FFFD would store a different value than was sent, and make different bad
            // identifiers equal.
            throw Invalid($"The body is not valid UTF-8 (invalid byte sequence at byte {ex.Index}); FHIR requires UTF-8.");
        }
    }

    /// <summary>The characters <see cref="FhirCharacters"/> allows, anywhere in the body.</summary>
    private static void CheckCharacters(string text)
    {
        var bad = FhirCharacters.FirstInvalid(text);
        if (bad >= 0)
        {
            throw Invalid($"The body contains the character U+{(int)text[bad]:X4} at offset {bad}; FHIR strings cannot contain control characters.");
        }
    }

    private static FhirOperationException Inexact(string number) =>
        Invalid($"The number {(number.Length > 40 ? number[..40] + "…" : number)} cannot be stored exactly: this server holds decimals with at most 28 significant digits, between ±{decimal.MaxValue}.");

    private static FhirOperationException DeepXhtml(string where) =>
        FhirOperationException.Of(
            System.Net.HttpStatusCode.BadRequest,
            OperationOutcome.IssueType.TooCostly,
            $"The narrative nests XHTML more than {MaxXhtmlDepth} levels deep (at {where}); this server refuses deeper nesting (FhirBodyGuard.MaxXhtmlDepth).");

    private static bool TooDeep(int fhirDepth, int rawDepth) => fhirDepth > MaxNestingDepth || rawDepth > MaxRawDepth;

    private static FhirOperationException Deep(string where) =>
        FhirOperationException.Of(
            System.Net.HttpStatusCode.BadRequest,
            OperationOutcome.IssueType.TooCostly,
            $"The body nests elements more than {MaxNestingDepth} levels deep (at {where}); this server refuses deeper nesting (FhirBodyGuard.MaxNestingDepth).");

    private static void CheckResourceType(string name)
    {
        if (ModelInfo.ModelInspector.FindClassMapping(name) is { } mapping && (mapping.IsAbstract == true || mapping.NativeType.IsAbstract))
        {
            throw Invalid($"'{name}' is an abstract type; a body must hold a concrete resource type such as Patient.");
        }
    }

    private static FhirOperationException Invalid(string diagnostics) =>
        FhirOperationException.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid, diagnostics);

    private static FhirOperationException Structure(string diagnostics) =>
        FhirOperationException.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.Structure, diagnostics);
}
