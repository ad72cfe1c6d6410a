namespace AllianceFhir.Core.Search;

/// <summary>
/// A parsed, validated search on one resource type, independent of any storage provider. Criteria are AND-ed;
/// the values inside one criterion are OR-ed.
/// </summary>
public sealed record SearchQuery(
    string ResourceType,
    IReadOnlyList<SearchCriterion> Criteria,
    int Count,
    IReadOnlyList<SortKey> Sort,
    IReadOnlyList<IncludeSpec> Includes,
    IReadOnlyList<IncludeSpec> RevIncludes,
    SummaryMode Summary,
    IReadOnlyList<string> Elements,
    TotalMode Total,
    IReadOnlyList<IgnoredParameter> Ignored)
{
    public const int DefaultCount = 20;
    public const int MaxCount = 1000;

    /// <summary>
    /// How many values one search may name in all: each comma-separated alternative of each criterion counts.
    /// Every value becomes a predicate; SQLite refuses a statement whose expression tree is deeper than 1,000, which
    /// a chained parameter with 250 alternatives already reached.
    /// </summary>
    public const int MaxValues = 100;
}

/// <summary>A parameter the server did not apply; the caller reports it (lenient) or rejects the search (strict).</summary>
public sealed record IgnoredParameter(string Name, string Value, string Reason);

/// <summary>One `_sort` key; <see cref="Parameter"/> is the parameter whose index values order the results.</summary>
public sealed record SortKey(SearchParameterInfo Parameter, bool Descending);

/// <summary>
/// `_include=SourceType:param[:TargetType]` or `_revinclude=…`: follow <see cref="Parameter"/> (a reference parameter
/// of <see cref="SourceType"/>), optionally only to <see cref="TargetType"/>; <see cref="Iterate"/> applies it to
/// included resources as well.
/// </summary>
public sealed record IncludeSpec(string SourceType, SearchParameterInfo Parameter, string? TargetType, bool Iterate);

public enum SummaryMode
{
    False,
    True,
    Count,
    Data,
    Text,
}

/// <summary>`_total`; <see cref="Unspecified"/> leaves the choice to the server.</summary>
public enum TotalMode
{
    Unspecified,
    None,
    Estimate,
    Accurate,
}

/// <summary>The modifiers this server applies. Parameters with any other modifier are reported as ignored.</summary>
public enum SearchModifier
{
    None,
    Missing,
    Exact,
    Contains,
    Text,
    Not,
    Identifier,

    /// <summary>`subject:Patient=…`: the reference must point at the type in <see cref="ParameterCriterion.TargetType"/>.</summary>
    Type,
}

/// <summary>Date, number and quantity comparison prefixes.</summary>
public enum SearchPrefix
{
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Sa,
    Eb,
    Ap,
}

/// <summary>One AND-ed condition of a search.</summary>
public abstract record SearchCriterion;

/// <summary>
/// A condition on one parameter of the searched type: any of <see cref="Values"/> matches (OR).
/// With <see cref="SearchModifier.Missing"/> the single value is a <see cref="MissingSearchValue"/>.
/// </summary>
public sealed record ParameterCriterion(
    SearchParameterInfo Parameter,
    SearchModifier Modifier,
    string? TargetType,
    IReadOnlyList<SearchValue> Values) : SearchCriterion;

/// <summary>
/// `subject:Patient.identifier=x`: the searched resource's <see cref="Reference"/> points at a
/// <see cref="TargetType"/> resource that satisfies <see cref="Inner"/> (itself possibly chained further).
/// </summary>
public sealed record ChainedCriterion(SearchParameterInfo Reference, string TargetType, SearchCriterion Inner) : SearchCriterion;

/// <summary>
/// `_has:Observation:subject:code=x`: some <see cref="SourceType"/> resource whose <see cref="Reference"/> points at
/// the searched resource satisfies <see cref="Inner"/>.
/// </summary>
public sealed record ReverseChainedCriterion(string SourceType, SearchParameterInfo Reference, SearchCriterion Inner) : SearchCriterion;

/// <summary>
/// At least one of <see cref="Alternatives"/> holds (OR across criteria, where a <see cref="ParameterCriterion"/> ORs
/// only values of one parameter). The search grammar has no such parameter; the server builds it for conditions that
/// span several parameters, such as membership of a patient compartment (subject, performer, … = Patient/{id}).
/// </summary>
public sealed record AnyOfCriterion(IReadOnlyList<SearchCriterion> Alternatives) : SearchCriterion;
