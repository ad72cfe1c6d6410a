using System.Globalization;
using System.Text;
using System.Xml;

namespace AllianceFhir.Core.Serialization;

/// <summary>
/// Which characters FHIR text may hold, for every input path (bodies, search values, headers). R4 strings SHALL NOT
/// contain characters below U+0020 other than tab, line feed and carriage return; U+FFFE, U+FFFF and unpaired
/// surrogates are refused too, because XML cannot carry them and whatever is stored or echoed must be sendable as XML.
/// </summary>
public static class FhirCharacters
{
    /// <summary>The offset of the first character FHIR text cannot hold, or -1.</summary>
    public static int FirstInvalid(string text)
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

    /// <summary>
    /// The text with every character FHIR cannot hold written as <c>\uXXXX</c>, so a message that quotes client input
    /// can always be sent, in JSON and in XML.
    /// </summary>
    public static string Printable(string text)
    {
        var bad = FirstInvalid(text);
        if (bad < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 8).Append(text, 0, bad);
        for (var i = bad; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (XmlConvert.IsXmlChar(c))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
