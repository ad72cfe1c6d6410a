using System.Globalization;

namespace AllianceFhir.Core.Serialization;

/// <summary>
/// Whether a System.Decimal holds exactly the number its text (JSON number or XML value) wrote. Both are reduced to significant digits and a
/// power of ten (no leading or trailing zeros), which are equal exactly when the numbers are; this never builds a
/// number from the text, so a megabyte of digits costs one pass.
/// </summary>
internal static class DecimalText
{
    public static bool IsExact(ReadOnlySpan<char> text, decimal value)
    {
        text = text.Trim();
        var written = Normalize(text);
        Span<char> buffer = stackalloc char[64];
        value.TryFormat(buffer, out var length, default, CultureInfo.InvariantCulture);
        var held = Normalize(buffer[..length]);
        return written.Negative == held.Negative
            && written.Exponent == held.Exponent
            && text.Slice(written.Start, written.End - written.Start).SequenceEqualIgnoringPoint(buffer.Slice(held.Start, held.End - held.Start));
    }

    /// <summary>The digits between Start and End (a '.' among them is skipped) times ten to Exponent.</summary>
    private readonly record struct Reduced(bool Negative, int Start, int End, long Exponent);

    private static Reduced Normalize(ReadOnlySpan<char> text)
    {
        var negative = text.Length > 0 && text[0] == '-';
        var mantissaEnd = text.IndexOfAny('e', 'E');
        if (mantissaEnd < 0)
        {
            mantissaEnd = text.Length;
        }

        var exponent = mantissaEnd < text.Length ? ParseExponent(text[(mantissaEnd + 1)..]) : 0;
        var point = text[..mantissaEnd].IndexOf('.');
        var start = text.Length > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
        while (start < mantissaEnd && (text[start] == '0' || text[start] == '.'))
        {
            start++;
        }

        var end = mantissaEnd;
        while (end > start && (text[end - 1] == '0' || text[end - 1] == '.'))
        {
            end--;
        }

        if (start == end)
        {
            return new Reduced(false, 0, 0, 0); // zero, whatever its sign or scale
        }

        // The value of the last significant digit's place: digits after the point lower it, zeros dropped raise it.
        var pointAt = point < 0 ? mantissaEnd : point;
        var placeOfLast = end <= pointAt ? pointAt - end : -(end - pointAt - 1);
        return new Reduced(negative, start, end, Saturate(exponent + placeOfLast));
    }

    private static long ParseExponent(ReadOnlySpan<char> text)
    {
        var sign = 1L;
        if (text.Length > 0 && (text[0] == '+' || text[0] == '-'))
        {
            sign = text[0] == '-' ? -1 : 1;
            text = text[1..];
        }

        var value = 0L;
        foreach (var digit in text)
        {
            value = Saturate(value * 10 + (digit - '0'));
        }

        return sign * value;
    }

    private static long Saturate(long value) => Math.Clamp(value, -1_000_000_000_000L, 1_000_000_000_000L);

    private static bool SequenceEqualIgnoringPoint(this ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && a[i] == '.')
            {
                i++;
            }

            while (j < b.Length && b[j] == '.')
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (a[i++] != b[j++])
            {
                return false;
            }
        }
    }
}
