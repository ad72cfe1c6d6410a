using System.Text;

namespace AllianceFhir.Core.Search;

/// <summary>
/// The escaping rules of search values: <c>\,</c> <c>\|</c> <c>\$</c> <c>\\</c> stand for the literal character.
/// Splitting works on the raw text (escapes kept) so each level splits only on its own unescaped separator,
/// and <see cref="Unescape"/> runs last.
/// </summary>
internal static class SearchValueText
{
    public static List<string> Split(string raw, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\')
            {
                i++;
            }
            else if (raw[i] == separator)
            {
                parts.Add(raw[start..i]);
                start = i + 1;
            }
        }

        parts.Add(raw[start..]);
        return parts;
    }

    public static string Unescape(string raw)
    {
        if (!raw.Contains('\\', StringComparison.Ordinal))
        {
            return raw;
        }

        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length)
            {
                i++;
            }

            builder.Append(raw[i]);
        }

        return builder.ToString();
    }
}
