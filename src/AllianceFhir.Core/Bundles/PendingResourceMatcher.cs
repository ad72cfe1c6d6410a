using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// Decides whether a resource that is part of the running transaction (not yet in the database, so invisible to the
/// store's search) matches a parsed search. It works on the same index values the store will hold, and covers the
/// shapes conditional interactions use: token, string, uri and reference parameters, <c>:missing</c>, <c>:exact</c>,
/// <c>:contains</c>, <c>:not</c>. Anything else fails clearly instead of guessing.
/// </summary>
/// <param name="serviceBase">This server's base, as the store's index of the same resources would take it.</param>
public sealed class PendingResourceMatcher(ISearchIndexer indexer, ServiceBase? serviceBase = null)
{
    private readonly Dictionary<Resource, ILookup<string, SearchIndexValue>> _values = new(ReferenceEqualityComparer.Instance);

    /// <summary>Forget extracted values (call after the resources changed, e.g. their references were rewritten).</summary>
    public void Invalidate() => _values.Clear();

    /// <summary>Forget one resource's values (its write hooks may have changed it, e.g. added computed scores).</summary>
    public void Invalidate(Resource resource) => _values.Remove(resource);

    public bool Matches(SearchQuery query, Resource resource)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(resource);
        if (!_values.TryGetValue(resource, out var values))
        {
            values = indexer.Extract(resource, serviceBase ?? ServiceBase.None).ToLookup(v => v.ParamName, StringComparer.Ordinal);
            _values[resource] = values;
        }

        return query.Criteria.All(c => Matches(c, values));
    }

    /// <summary>As above, over index values already extracted (a prepared write's own, which the store will hold).</summary>
    public static bool Matches(SearchQuery query, ILookup<string, SearchIndexValue> values)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(values);
        return query.Criteria.All(c => Matches(c, values));
    }

    private static bool Matches(SearchCriterion criterion, ILookup<string, SearchIndexValue> values)
    {
        if (criterion is AnyOfCriterion anyOf)
        {
            return anyOf.Alternatives.Any(a => Matches(a, values));
        }

        if (criterion is not ParameterCriterion { } pc)
        {
            throw CannotEvaluate("chained and _has parameters");
        }

        var indexed = values[pc.Parameter.Name].ToList();
        return pc.Modifier switch
        {
            SearchModifier.Missing => pc.Values is [MissingSearchValue missing] && missing.Missing == (indexed.Count == 0),
            SearchModifier.Not => !pc.Values.Any(v => indexed.Any(i => Equal(v, i, SearchModifier.None))),
            SearchModifier.None or SearchModifier.Exact or SearchModifier.Contains or SearchModifier.Type =>
                pc.Values.Any(v => indexed.Any(i => Equal(v, i, pc.Modifier) && TypeMatches(pc, i))),
            _ => throw CannotEvaluate($"the :{pc.Modifier.ToString().ToLowerInvariant()} modifier"),
        };
    }

    private static bool TypeMatches(ParameterCriterion criterion, SearchIndexValue value) =>
        criterion.TargetType is null || value is not ReferenceIndexValue r || r.TargetType == criterion.TargetType;

    private static bool Equal(SearchValue search, SearchIndexValue indexed, SearchModifier modifier) => (search, indexed) switch
    {
        (TokenSearchValue s, TokenIndexValue i) =>
            (s.System is null || (s.System.Length == 0 ? string.IsNullOrEmpty(i.System) : s.System == i.System))
            && (s.Code is null || s.Code == i.Code),
        (StringSearchValue s, StringIndexValue i) => modifier switch
        {
            SearchModifier.Exact => i.Exact == s.Value,
            SearchModifier.Contains => i.Normalized.Contains(s.Normalized, StringComparison.Ordinal),
            _ => i.Normalized.StartsWith(s.Normalized, StringComparison.Ordinal),
        },
        (UriSearchValue s, UriIndexValue i) => s.Uri == i.Uri && (s.Version is null || s.Version == i.Version),
        (UriSearchValue s, ReferenceIndexValue i) => s.Uri == i.Url && (s.Version is null || s.Version == i.Version),
        (ReferenceSearchValue { Url: { } url } s, ReferenceIndexValue i) => url == i.Url && (s.Version is null || s.Version == i.Version),
        (ReferenceSearchValue s, ReferenceIndexValue i) =>
            s.TargetId == i.TargetId && (s.TargetType is null || s.TargetType == i.TargetType),
        (TokenSearchValue or StringSearchValue or UriSearchValue or ReferenceSearchValue, _) => false,
        _ => throw CannotEvaluate($"{search.GetType().Name.Replace("SearchValue", string.Empty, StringComparison.Ordinal).ToLowerInvariant()} parameters"),
    };

    private static FhirOperationException CannotEvaluate(string what) =>
        FhirOperationException.Of(
            HttpStatusCode.BadRequest,
            OperationOutcome.IssueType.NotSupported,
            $"The search uses {what}, which this server cannot evaluate against resources written in the same transaction; "
            + "use token, string, uri or reference parameters, or send the entries in separate requests");
}
