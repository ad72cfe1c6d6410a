using System.Globalization;
using System.Xml;
using Hl7.Fhir.Introspection;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Serialization;

/// <summary>The XML half of the body checks: one forward-only pass of XmlReader, DTDs prohibited.</summary>
public static partial class FhirBodyGuard
{
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
                if (isFhir)
                {
                    CheckXmlAttributes(reader, type);
                }

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

    /// <summary>
    /// FHIR XML puts only id, url (extensions) and value (primitives) in attributes, everything else in elements. Firely's
    /// reader matches other attribute names against the element's members ignoring case and throws on some of them
    /// (valUe, VALUE, extension) instead of reporting, and on a value attribute of a complex element whose value[x] is a
    /// choice (an answer, an extension); namespaced attributes it refuses itself. An element the model does not know
    /// (type null) is the deserializer's to report.
    /// </summary>
    private static void CheckXmlAttributes(XmlReader reader, ClassMapping? type)
    {
        if (!reader.MoveToFirstAttribute())
        {
            return;
        }

        do
        {
            if (reader.NamespaceURI.Length == 0 && reader.LocalName is not ("id" or "url" or "value"))
            {
                var attribute = reader.LocalName;
                reader.MoveToElement();
                throw Invalid($"The element '{reader.LocalName}' at {Where(reader)} has the attribute '{attribute}'; FHIR XML elements carry only the attributes id, url and value.");
            }

            if (reader.NamespaceURI.Length == 0 && reader.LocalName == "value" && type is { IsFhirPrimitive: false })
            {
                reader.MoveToElement();
                throw Invalid($"The element '{reader.LocalName}' at {Where(reader)} has a value attribute, but it is not a primitive; its value goes in child elements.");
            }
        }
        while (reader.MoveToNextAttribute());

        reader.MoveToElement();
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

    private static string Where(XmlReader reader) =>
        reader is IXmlLineInfo info ? $"line {info.LineNumber}, position {info.LinePosition}" : "an element";
}
