using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Resources;

/// <summary>
/// The canonical text of a conditional write's condition: the key under which racing conditional writes are serialized
/// (<see cref="Storage.ConditionClaim"/>). It holds the selecting parameters, unescaped and escaped again one way,
/// without repeats, in ordinal order; so conditions that differ only in parameter order or percent-encoding share a
/// key, and conditions that differ otherwise do not, even where they would select the same resources.
/// </summary>
public static class ConditionKey
{
    public static string Of(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters
            .Where(p => !ResultParameters.Contains(p.Key))
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal));
}
