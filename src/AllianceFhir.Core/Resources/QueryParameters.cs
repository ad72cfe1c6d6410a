namespace AllianceFhir.Core.Resources;

/// <summary>Parses the search part of conditional interactions (If-None-Exist, conditional update/delete URLs).</summary>
public static class QueryParameters
{
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string query)
    {
        var result = new List<KeyValuePair<string, string>>();
        var text = query.StartsWith('?') ? query[1..] : query;
        foreach (var part in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? string.Empty : part[(eq + 1)..];
            result.Add(new(Unescape(name), Unescape(value)));
        }

        return result;
    }

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}
