namespace AllianceFhir.Core.Search;

/// <summary>
/// The R4 result parameters (search.html#return): they shape a result or its format rather than select resources. The
/// one list of them; each subset below is named for what the callers do with it.
/// </summary>
public static class ResultParameters
{
    /// <summary>Format parameters: how the response is serialized. The HTTP layer applies them to every response.</summary>
    public static readonly IReadOnlySet<string> Format = new HashSet<string>(StringComparer.Ordinal) { "_format", "_pretty" };

    /// <summary>Format parameters and the ones that trim each returned resource: they apply to a read as well as to a search.</summary>
    public static readonly IReadOnlySet<string> Representation = new HashSet<string>(Format, StringComparer.Ordinal) { "_summary", "_elements" };

    /// <summary>Every result parameter of a search.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(Representation, StringComparer.Ordinal)
    {
        "_count", "_total", "_sort", "_include", "_revinclude",
    };

    /// <summary>The result parameters that mean the same for every type, so a whole-system search applies them (includes are per type).</summary>
    public static readonly IReadOnlySet<string> AcrossTypes = new HashSet<string>(All.Except(["_include", "_revinclude"]), StringComparer.Ordinal);

    public static bool Contains(string name) => All.Contains(name);
}
