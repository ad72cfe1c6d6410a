using System.Text;
using System.Text.Json;

namespace AllianceFhir.Core.Serialization;

/// <summary>The JSON half of the body checks: one forward-only pass of Utf8JsonReader.</summary>
public static partial class FhirBodyGuard
{
    private static void ScanJson(ReadOnlySpan<byte> body)
    {
        // The reader's own depth limit stays above ours so that it never answers first with a less useful message.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxRawDepth + 2 });
        var objectDepth = 0;
        var names = new PropertyNames();
        var propertyIsResourceType = false;
        var propertyIsDiv = false;
        var propertyIsShadow = false;
        var shadowArrays = new Stack<int>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid("The body must be a JSON object holding a FHIR resource (with a resourceType).");
            }

            do
            {
                CheckShadow(ref reader, body, propertyIsShadow, shadowArrays);
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        objectDepth++;
                        if (TooDeep(objectDepth, reader.CurrentDepth + 1))
                        {
                            throw Deep(Position(body, reader.TokenStartIndex));
                        }

                        names.Enter(objectDepth);
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
                        // Checked first: comparing an escaped name unescapes it, which throws on a lone surrogate.
                        CheckEscapedString(ref reader);

                        // Every FHIR JSON property is an element name; Firely's parser fails with an IndexOutOfRangeException on "".
                        if (reader.ValueTextEquals(""u8))
                        {
                            throw Invalid($"The JSON object at {Position(body, reader.TokenStartIndex)} has a property with an empty name; FHIR element names are never empty.");
                        }

                        // Firely's parser reports some repeated names and throws on others (a list given again as an object).
                        if (!names.Add(objectDepth, reader.GetString()!))
                        {
                            throw Invalid($"The JSON object at {Position(body, reader.TokenStartIndex)} has the property '{reader.GetString()}' more than once; a FHIR element appears once, a repeating one as one array.");
                        }

                        propertyIsShadow = reader.ValueSpan is [(byte)'_', ..] || (reader.ValueIsEscaped && reader.GetString()!.StartsWith('_'));
                        propertyIsResourceType = reader.ValueTextEquals("resourceType"u8);
                        propertyIsDiv = reader.ValueTextEquals("div"u8);
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
                propertyIsShadow = false;
            }
            while (reader.Read());
        }
        catch (JsonException ex)
        {
            throw Structure($"The body is not well-formed JSON: {ex.Message}");
        }
    }

    /// <summary>
    /// A "_name" property carries the id and extensions of the primitive "name": an object, or for a repeating primitive an
    /// array of objects and nulls. Firely's parser throws InvalidOperationException on some other shapes ("_given": true).
    /// </summary>
    private static void CheckShadow(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, bool isShadowValue, Stack<int> shadowArrays)
    {
        var isItem = shadowArrays.TryPeek(out var arrayDepth) && reader.CurrentDepth == arrayDepth + 1;
        if (isShadowValue || isItem)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                case JsonTokenType.StartArray when isItem:
                    throw Invalid($"The JSON value at {Position(body, reader.TokenStartIndex)} belongs to a property starting with '_', which holds the id and extensions of a primitive: an object, or an array of objects and nulls.");
                case JsonTokenType.StartArray:
                    shadowArrays.Push(reader.CurrentDepth);
                    return;
            }
        }

        if (reader.TokenType == JsonTokenType.EndArray && shadowArrays.TryPeek(out var closing) && reader.CurrentDepth == closing)
        {
            shadowArrays.Pop();
        }
    }

    /// <summary>The property names seen in each open object, by object depth; the sets are reused as objects close and open.</summary>
    private sealed class PropertyNames
    {
        private readonly List<HashSet<string>> _byDepth = [];

        public void Enter(int depth)
        {
            while (_byDepth.Count < depth)
            {
                _byDepth.Add(new HashSet<string>(StringComparer.Ordinal));
            }

            _byDepth[depth - 1].Clear();
        }

        public bool Add(int depth, string name) => _byDepth[depth - 1].Add(name);
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

        var bad = FhirCharacters.FirstInvalid(value);
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
}
