using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Introspection;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Serialization;

/// <summary>
/// Checks a request body before any recursive parser sees it, the same way for every input path (REST bodies,
/// Bundles, Parameters, NDJSON lines): strict UTF-8, only characters FHIR strings and XML 1.0 allow, a root that is a
/// concrete resource, and element nesting no deeper than <see cref="MaxNestingDepth"/>. Firely's deserializers
/// recurse once per nesting level, so a deep body would overflow the stack and end the process; these checks use
/// forward-only readers that do not recurse.
/// </summary>
public static class FhirBodyGuard
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
    private const string XhtmlNamespace = "http://www.w3.org/1999/xhtml";

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

    /// <summary>
    /// R4 datatypes: strings SHALL NOT contain characters below U+0020 other than tab, line feed and carriage return.
    /// U+FFFE and U+FFFF are refused too: XML cannot carry them, and what is stored must be readable as XML.
    /// </summary>
    private static void CheckCharacters(string text)
    {
        var bad = FirstInvalidCharacter(text);
        if (bad >= 0)
        {
            throw Invalid($"The body contains the character U+{(int)text[bad]:X4} at offset {bad}; FHIR strings cannot contain control characters.");
        }
    }

    private static int FirstInvalidCharacter(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (!XmlConvert.IsXmlChar(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static void ScanJson(ReadOnlySpan<byte> body)
    {
        // The reader's own depth limit stays above ours so that it never answers first with a less useful message.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxRawDepth + 2 });
        var objectDepth = 0;
        var propertyIsResourceType = false;
        var propertyIsDiv = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid("The body must be a JSON object holding a FHIR resource (with a resourceType).");
            }

            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        objectDepth++;
                        if (TooDeep(objectDepth, reader.CurrentDepth + 1))
                        {
                            throw Deep(Position(body, reader.TokenStartIndex));
                        }

                        break;
                    case JsonTokenType.StartArray:
                        if (TooDeep(objectDepth, reader.CurrentDepth + 1))
                        {
                            throw Deep(Position(body, reader.TokenStartIndex));
                        }

                        break;
                    case JsonTokenType.EndObject:
                        objectDepth--;
                        break;
                    case JsonTokenType.PropertyName:
                        propertyIsResourceType = reader.ValueTextEquals("resourceType"u8);
                        propertyIsDiv = reader.ValueTextEquals("div"u8);
                        CheckEscapedString(ref reader);
                        continue;
                    case JsonTokenType.String:
                        var value = CheckEscapedString(ref reader);
                        if (propertyIsResourceType)
                        {
                            CheckResourceType(value ?? reader.GetString()!);
                        }
                        else if (propertyIsDiv)
                        {
                            CheckXhtml(value ?? reader.GetString()!);
                        }

                        break;
                    case JsonTokenType.Number:
                        CheckNumber(ref reader);
                        break;
                }

                propertyIsResourceType = false;
                propertyIsDiv = false;
            }
            while (reader.Read());
        }
        catch (JsonException ex)
        {
            throw Structure($"The body is not well-formed JSON: {ex.Message}");
        }
    }

    /// <summary>Unescapes an escaped string to check what it stands for; a lone surrogate cannot be unescaped.</summary>
    private static string? CheckEscapedString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return null;
        }

        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid($"The JSON string ending at byte {reader.BytesConsumed} escapes an unpaired UTF-16 surrogate (such as \\ud800); that is not a Unicode character.");
        }

        var bad = FirstInvalidCharacter(value);
        if (bad >= 0)
        {
            throw Invalid($"The JSON string ending at byte {reader.BytesConsumed} contains the character U+{(int)value[bad]:X4}; FHIR strings cannot contain control characters.");
        }

        return value;
    }

    /// <summary>
    /// FHIR decimals have arbitrary precision, but the Firely model holds them as System.Decimal. Rather than store a
    /// rounded (or zeroed) value, a number that type cannot hold exactly is refused, saying why.
    /// </summary>
    private static void CheckNumber(ref Utf8JsonReader reader)
    {
        var text = Encoding.UTF8.GetString(reader.ValueSpan);
        if (!reader.TryGetDecimal(out var value) || !DecimalText.IsExact(text, value))
        {
            throw Inexact(text);
        }
    }

    private static FhirOperationException Inexact(string number) =>
        Invalid($"The number {(number.Length > 40 ? number[..40] + "…" : number)} cannot be stored exactly: this server holds decimals with at most 28 significant digits, between ±{decimal.MaxValue}.");

    /// <summary>
    /// The FHIR type of an XML element from its parent's type, so that decimals (attributes in XML) get the same
    /// check as JSON numbers. Null where the model does not know the element; the deserializer reports that.
    /// </summary>
    private static ClassMapping? TypeOf(ClassMapping? parent, string name, bool isResource)
    {
        if (isResource)
        {
            return ModelInfo.ModelInspector.FindClassMapping(name);
        }

        var property = parent?.FindMappedElementByName(name) ?? parent?.FindMappedElementByChoiceName(name);
        if (property is null)
        {
            return null;
        }

        if (property.Choice == ChoiceType.None || name.Length <= property.Name.Length)
        {
            return property.PropertyTypeMapping;
        }

        // valueDecimal: the suffix names the type, capitalised (decimal) or as written (Quantity).
        var suffix = name[property.Name.Length..];
        return ModelInfo.ModelInspector.FindClassMapping(char.ToLowerInvariant(suffix[0]) + suffix[1..])
            ?? ModelInfo.ModelInspector.FindClassMapping(suffix);
    }

    private static void CheckXmlDecimal(XmlReader reader, ClassMapping? type)
    {
        if (type?.NativeType != typeof(FhirDecimal) || reader.GetAttribute("value") is not { } text)
        {
            return;
        }

        // Text that is no number at all is the deserializer's to report.
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            var trimmed = text.AsSpan().Trim();
            if (trimmed.Length > 0 && trimmed.IndexOfAnyExcept(NumberCharacters) < 0)
            {
                throw Inexact(text);
            }

            return;
        }

        if (!DecimalText.IsExact(text, value))
        {
            throw Inexact(text);
        }
    }

    private static void ScanXml(string text)
    {
        // counted[d] is the FHIR depth of the open element at XML depth d, types[d] its FHIR type.
        var counted = new List<int>();
        var types = new List<ClassMapping?>();
        var sawRoot = false;
        var markupStart = -1;
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), ReaderSettings(ConformanceLevel.Document));
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                var depth = reader.Depth;
                if (markupStart >= 0 && depth <= markupStart)
                {
                    markupStart = -1;
                }

                // Everything inside an element of another namespace (XHTML narrative) is markup, not FHIR elements.
                var isFhir = markupStart < 0 && reader.NamespaceURI == FhirNamespace;
                if (!isFhir)
                {
                    markupStart = markupStart < 0 ? depth : markupStart;
                    if (depth - markupStart + 1 > MaxXhtmlDepth)
                    {
                        throw DeepXhtml(Where(reader));
                    }
                }
                else if (TooDeep(0, depth + 1))
                {
                    throw Deep(Where(reader));
                }

                var isResource = isFhir && reader.LocalName.Length > 0 && char.IsUpper(reader.LocalName[0]);
                if (!sawRoot)
                {
                    sawRoot = true;
                    if (!isResource)
                    {
                        throw Invalid("The body must be a FHIR resource: a root element named for a resource type in the namespace http://hl7.org/fhir.");
                    }
                }

                if (isResource)
                {
                    CheckResourceType(reader.LocalName);
                }

                int level;
                if (depth == 0)
                {
                    level = 1;
                }
                else
                {
                    var parent = counted[depth - 1];

                    // The parent has a child element, so it is a level of its own (as its JSON object would be).
                    // A child outside the FHIR namespace is XHTML narrative: a string in JSON, so not a level.
                    if (isFhir && TooDeep(parent, depth + 1))
                    {
                        throw Deep(Where(reader));
                    }

                    level = !isFhir ? parent : isResource ? parent : parent + 1;
                }

                var type = !isFhir ? null : TypeOf(depth == 0 ? null : types[depth - 1], reader.LocalName, isResource);
                CheckXmlDecimal(reader, type);
                if (counted.Count <= depth)
                {
                    counted.Add(level);
                    types.Add(type);
                }
                else
                {
                    counted[depth] = level;
                    types[depth] = type;
                }
            }
        }
        catch (XmlException ex)
        {
            throw Structure($"The body is not well-formed XML: {ex.Message}");
        }
    }

    /// <summary>Only the nesting of narrative markup given as a JSON string; whether it is valid XHTML is Firely's to say.</summary>
    private static void CheckXhtml(string markup)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(markup), ReaderSettings(ConformanceLevel.Fragment));
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth + 1 > MaxXhtmlDepth)
                {
                    throw DeepXhtml("the narrative's div");
                }
            }
        }
        catch (XmlException)
        {
            // Not well-formed: the deserializer reports that with its own location.
        }
    }

    private static XmlReaderSettings ReaderSettings(ConformanceLevel level) => new()
    {
        ConformanceLevel = level,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CheckCharacters = true,
    };

    private static FhirOperationException DeepXhtml(string where) =>
        FhirOperationException.Of(
            System.Net.HttpStatusCode.BadRequest,
            OperationOutcome.IssueType.TooCostly,
            $"The narrative nests XHTML more than {MaxXhtmlDepth} levels deep (at {where}); this server refuses deeper nesting (FhirBodyGuard.MaxXhtmlDepth).");

    private static string Where(XmlReader reader) =>
        reader is IXmlLineInfo info ? $"line {info.LineNumber}, position {info.LinePosition}" : "an element";

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

    private static string Position(ReadOnlySpan<byte> body, long offset)
    {
        var consumed = (int)Math.Min(offset, body.Length);
        var line = 1;
        foreach (var b in body[..consumed])
        {
            if (b == (byte)'\n')
            {
                line++;
            }
        }

        return $"line {line}, byte {consumed}";
    }

    private static FhirOperationException Invalid(string diagnostics) =>
        FhirOperationException.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid, diagnostics);

    private static FhirOperationException Structure(string diagnostics) =>
        FhirOperationException.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.Structure, diagnostics);
}
