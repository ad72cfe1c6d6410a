using System.Collections.Frozen;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// What a search of AuditEvents can ask. AuditEvent is a virtual type (<see cref="AuditEventRow"/>): it is searched on
/// the columns of its narrow table, not on index rows, so it supports exactly the R4 AuditEvent parameters the events
/// this server records carry a value for, with the modifiers the columns can answer. The registry declares only these
/// (and so does the CapabilityStatement); any other parameter, modifier, sort, chain, <c>_has</c> or include that
/// involves AuditEvent is reported as not applied, or refused under <c>Prefer: handling=strict</c>, as any unknown
/// parameter is.
/// </summary>
/// <remarks>
/// Left out because no event of this server carries them: <c>agent-name</c>, <c>agent-role</c>, <c>altid</c>,
/// <c>entity-id</c>, <c>entity-name</c>, <c>policy</c>, <c>site</c>, <c>source</c> (the observer is named by display
/// only), <c>_tag</c>, <c>_profile</c>, <c>_security</c>, <c>_source</c>.
/// </remarks>
public static class AuditEventSearch
{
    private static readonly FrozenDictionary<string, SearchModifier[]> Modifiers = new Dictionary<string, SearchModifier[]>(StringComparer.Ordinal)
    {
        ["_id"] = [SearchModifier.None, SearchModifier.Not],
        ["_lastUpdated"] = [SearchModifier.None],
        ["date"] = [SearchModifier.None],
        ["type"] = [SearchModifier.None, SearchModifier.Not],
        ["subtype"] = [SearchModifier.None, SearchModifier.Not],
        ["action"] = [SearchModifier.None, SearchModifier.Not],
        ["outcome"] = [SearchModifier.None, SearchModifier.Not],
        ["entity-type"] = [SearchModifier.None, SearchModifier.Not],
        ["entity-role"] = [SearchModifier.None, SearchModifier.Not],
        ["agent"] = [SearchModifier.None, SearchModifier.Identifier, SearchModifier.Missing],
        ["address"] = [SearchModifier.None, SearchModifier.Exact, SearchModifier.Contains, SearchModifier.Missing],
        ["entity"] = [SearchModifier.None, SearchModifier.Type, SearchModifier.Missing],
        ["patient"] = [SearchModifier.None, SearchModifier.Type, SearchModifier.Missing],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The parameters of AuditEvent this server supports.</summary>
    public static IReadOnlyCollection<string> Parameters => Modifiers.Keys;

    /// <summary>The parameters AuditEvents can be sorted by (both are a time of the row).</summary>
    public static readonly IReadOnlySet<string> Sortable = new HashSet<string>(["date", "_lastUpdated"], StringComparer.Ordinal);

    /// <summary>Whether the type is stored as narrow rows rather than as resource versions with index rows.</summary>
    public static bool IsVirtual(string? resourceType) => resourceType == nameof(AuditEvent);

    /// <summary>Whether the parameter is one of <see cref="Parameters"/>; for other types, every parameter is kept.</summary>
    public static bool Keeps(string resourceType, string parameter) => !IsVirtual(resourceType) || Modifiers.ContainsKey(parameter);

    /// <summary>Why a criterion on AuditEvent cannot be applied, or null when it can.</summary>
    public static string? Unsupported(string parameter, SearchModifier modifier) =>
        Modifiers.TryGetValue(parameter, out var allowed) && !allowed.Contains(modifier)
            ? $"AuditEvent's '{parameter}' cannot be searched with the ':{modifier.ToString().ToLowerInvariant()}' modifier."
            : null;

    /// <summary>Chains, <c>_has</c> and includes run on index rows, which AuditEvents do not have.</summary>
    public const string NotLinked = "AuditEvents cannot be reached by chains, _has or includes, nor reach other resources by them.";
}
