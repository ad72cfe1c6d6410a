using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Validation;

/// <summary>
/// Just enough UCUM to compare bounds: equal codes compare directly, and metric prefixes on a shared base unit
/// (km vs m, mg vs g) are converted. Anything else — including quantities without a formal UCUM code — is
/// reported as not comparable rather than guessed.
/// </summary>
internal static class Ucum
{
    private static readonly Dictionary<string, decimal> Prefixes = new(StringComparer.Ordinal)
    {
        ["k"] = 1e3m, ["h"] = 1e2m, ["da"] = 1e1m, ["d"] = 1e-1m, ["c"] = 1e-2m, ["m"] = 1e-3m, ["u"] = 1e-6m, ["n"] = 1e-9m,
    };

    private static readonly HashSet<string> BaseUnits = ["m", "g", "L", "l", "s", "mol", "Pa", "J", "W", "Hz"];

    /// <summary>Sign of a - b, or null when the two cannot be compared.</summary>
    public static int? Compare(Quantity a, Quantity b)
    {
        if (a.Value is null || b.Value is null || a.System != ExtensionUrls.Ucum || b.System != ExtensionUrls.Ucum || a.Code is null || b.Code is null)
        {
            return null;
        }

        if (a.Code == b.Code)
        {
            return a.Value.Value.CompareTo(b.Value.Value);
        }

        var (aBase, aFactor) = Split(a.Code);
        var (bBase, bFactor) = Split(b.Code);
        return aBase is not null && aBase == bBase ? (a.Value.Value * aFactor).CompareTo(b.Value.Value * bFactor) : null;
    }

    private static (string? Base, decimal Factor) Split(string code)
    {
        if (BaseUnits.Contains(code))
        {
            return (code, 1m);
        }

        foreach (var (prefix, factor) in Prefixes)
        {
            if (code.StartsWith(prefix, StringComparison.Ordinal) && BaseUnits.Contains(code[prefix.Length..]))
            {
                return (code[prefix.Length..], factor);
            }
        }

        return (null, 0m);
    }
}
