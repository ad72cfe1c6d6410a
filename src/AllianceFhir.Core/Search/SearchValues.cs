namespace AllianceFhir.Core.Search;

/// <summary>One OR-ed value of a criterion, already parsed for the parameter's type.</summary>
public abstract record SearchValue;

/// <summary>
/// token: <see cref="System"/> null = any system, "" = no system (`|code`); <see cref="Code"/> null = any code
/// (`system|`).
/// </summary>
public sealed record TokenSearchValue(string? System, string? Code) : SearchValue;

/// <summary>string (and token :text): the text as given and normalized like <see cref="StringIndexValue.Normalized"/>.</summary>
public sealed record StringSearchValue(string Value, string Normalized) : SearchValue;

/// <summary>date: the prefix and the UTC range [Start, End] (inclusive) the given precision implies.</summary>
public sealed record DateSearchValue(SearchPrefix Prefix, DateTime Start, DateTime End) : SearchValue;

/// <summary>number: the prefix, the value and the range [Low, High) its precision implies.</summary>
public sealed record NumberSearchValue(SearchPrefix Prefix, decimal Value, decimal Low, decimal High) : SearchValue;

/// <summary>quantity: as number, plus the unit: <see cref="System"/>/<see cref="Code"/> null = not constrained.</summary>
public sealed record QuantitySearchValue(SearchPrefix Prefix, decimal Value, decimal Low, decimal High, string? System, string? Code)
    : SearchValue;

/// <summary>
/// reference: `Type/id` (type and id), a bare `id` (<see cref="TargetType"/> from the type modifier or the only
/// target, else null = any type), or an absolute/canonical <see cref="Url"/> with an optional |<see cref="Version"/>.
/// </summary>
public sealed record ReferenceSearchValue(string? TargetType, string? TargetId, string? Url, string? Version) : SearchValue;

/// <summary>uri / canonical: <c>url</c> matches every version, <c>url|version</c> only that one.</summary>
public sealed record UriSearchValue(string Uri, string? Version) : SearchValue;

/// <summary>composite: one value per component, in the parameter's component order.</summary>
public sealed record CompositeSearchValue(IReadOnlyList<SearchValue> Components) : SearchValue;

/// <summary>`:missing=true` (<see cref="Missing"/> true: the resource has no value) or `:missing=false`.</summary>
public sealed record MissingSearchValue(bool Missing) : SearchValue;
