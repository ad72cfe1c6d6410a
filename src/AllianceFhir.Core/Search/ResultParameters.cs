namespace AllianceFhir.Core.Search;

/// <summary>Parameters that shape a search result or its format rather than select resources.</summary>
public static class ResultParameters
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "_format", "_pretty", "_count", "_summary", "_elements", "_total", "_sort", "_include", "_revinclude",
    };

    public static bool Contains(string name) => Names.Contains(name);
}
