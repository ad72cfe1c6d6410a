namespace AllianceFhir.Core.Search;

/// <summary>
/// One typed search-index value extracted from a resource for one search parameter. The storage layer keeps
/// one row per value, for the current version of a resource only, in a table per kind.
/// </summary>
public abstract record SearchIndexValue(string ParamName);

/// <summary>token: Coding, CodeableConcept, Identifier, code, boolean, ContactPoint, …</summary>
/// <param name="System">The system, or null when the value has none.</param>
/// <param name="Code">The code / value, or null when only a system or text exists.</param>
/// <param name="Text">Display/text, normalized for :text searches, or null.</param>
public sealed record TokenIndexValue(string ParamName, string? System, string? Code, string? Text) : SearchIndexValue(ParamName);

/// <summary>string: <paramref name="Normalized"/> is lower-cased and stripped of accents for the default and :contains matches.</summary>
public sealed record StringIndexValue(string ParamName, string Normalized, string Exact) : SearchIndexValue(ParamName);

/// <summary>date: the instant range [Start, End] (UTC, inclusive) implied by the value's precision or a Period.</summary>
public sealed record DateIndexValue(string ParamName, DateTime Start, DateTime End) : SearchIndexValue(ParamName);

/// <summary>
/// reference: a local reference has <paramref name="TargetType"/>/<paramref name="TargetId"/>; an absolute or canonical
/// one keeps its <paramref name="Url"/> (canonical without the |version, which goes to <paramref name="Version"/>).
/// </summary>
public sealed record ReferenceIndexValue(string ParamName, string? TargetType, string? TargetId, string? Url, string? Version)
    : SearchIndexValue(ParamName);

/// <summary>uri / canonical: the uri without |version, and the version when the value is a versioned canonical.</summary>
public sealed record UriIndexValue(string ParamName, string Uri, string? Version) : SearchIndexValue(ParamName);

/// <summary>number: the value and the range [Low, High) implied by its precision.</summary>
public sealed record NumberIndexValue(string ParamName, decimal Value, decimal Low, decimal High) : SearchIndexValue(ParamName);

/// <summary>quantity: the value with its unit system and code, and the range implied by its precision.</summary>
public sealed record QuantityIndexValue(string ParamName, string? System, string? Code, decimal Value, decimal Low, decimal High)
    : SearchIndexValue(ParamName);

/// <summary>composite: the component values of one repetition, in the order the SearchParameter lists them.</summary>
public sealed record CompositeIndexValue(string ParamName, IReadOnlyList<SearchIndexValue> Components) : SearchIndexValue(ParamName);
