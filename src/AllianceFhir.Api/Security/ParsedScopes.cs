using System.Collections.Concurrent;
using AllianceFhir.Core.Security;

namespace AllianceFhir.Api.Security;

/// <summary>
/// SMART scopes parsed once per distinct scope text: a client sends the same token, so the same text, with every
/// request. Parsing is a function of the text alone, so the text is the key (two tokens with the same scopes share an
/// entry; any difference in the text is another entry). Bounded: beyond <see cref="Capacity"/> texts it starts over.
/// </summary>
internal static class ParsedScopes
{
    public const int Capacity = 4096;

    private static readonly ConcurrentDictionary<string, IReadOnlyList<SmartScope>> Parsed = new(StringComparer.Ordinal);

    public static IReadOnlyList<SmartScope> Of(IEnumerable<string> scopeClaims)
    {
        // The claim values in order, each prefixed with its length, so that no two different lists share a key.
        var claims = scopeClaims as IReadOnlyCollection<string> ?? [.. scopeClaims];
        var text = string.Concat(claims.Select(c => $"{c.Length}:{c}"));
        if (Parsed.TryGetValue(text, out var scopes))
        {
            return scopes;
        }

        scopes = SmartScope.ParseAll(claims);
        if (Parsed.Count >= Capacity)
        {
            Parsed.Clear();
        }

        Parsed[text] = scopes;
        return scopes;
    }
}
