using System.Globalization;
using System.Text;

namespace AllianceFhir.Core.Search;

/// <summary>The normalization behind string search: case- and accent-insensitive.</summary>
public static class SearchText
{
    /// <summary>Lower-cases (invariant) and strips combining marks after canonical decomposition ("Müller" → "muller").</summary>
    public static string Normalize(string value)
    {
        if (IsPlainLowerAscii(value))
        {
            return value;
        }

        // ASCII has no combining marks and decomposes to itself, so lower-casing is the whole normalization. Most indexed
        // text that is not already lower case (codings' displays, names) is ASCII: one string instead of the decomposed
        // copy, a builder and its buffer (~20 KB of a WAI-SR submit's index rows).
        if (Ascii.IsValid(value))
        {
            return value.ToLowerInvariant();
        }

        var decomposed = value.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    // Most indexed strings are already plain lower-case ASCII; skip the allocations for them.
    private static bool IsPlainLowerAscii(string value)
    {
        foreach (var c in value)
        {
            if (c > 127 || char.IsUpper(c))
            {
                return false;
            }
        }

        return true;
    }
}
