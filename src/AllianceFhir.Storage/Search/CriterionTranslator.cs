using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using AllianceFhir.Core.Search;
using AllianceFhir.Storage.Entities;
using SearchParamType = Hl7.Fhir.Model.SearchParamType;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// Turns the criteria of a <see cref="SearchQuery"/> into provider-neutral LINQ over <see cref="ResourceEntity"/>.
/// </summary>
/// <remarks>
/// Index rows exist only for current, not deleted versions, so "has a matching index row" already means "is a current
/// match". One criterion — the most selective by a simple ranking (a reference or id before a token before a date…) —
/// drives the query as <c>Surrogate IN (index lookup)</c>; the others become correlated <c>EXISTS</c> checks on the
/// (resource, parameter) index, so a common code or a wide date range is never materialized as a whole list.
/// </remarks>
internal sealed class CriterionTranslator(FhirDbContext db, TenantRows tenant, DateTime now)
{
    /// <summary>Composite keys are surrogate × span + group: a resource may have at most this many combinations.</summary>
    public const int CompositeGroupSpan = 65536;

    /// <summary>A criterion as SQL: a surrogate set when it can drive the query, and the equivalent row filter.</summary>
    private sealed record Translated(int Rank, IQueryable<long>? Driver, Expression<Func<ResourceEntity, bool>> Filter);

    public IQueryable<ResourceEntity> CurrentRows(IReadOnlyList<string> types)
    {
        var rows = db.Resources.AsNoTracking().Where(tenant.Resources(types)).Where(r => !r.IsHistory && !r.IsDeleted);
        if (types.Count == 1)
        {
            var type = types[0];
            return rows.Where(r => r.ResourceType == type);
        }

        return rows.Where(r => types.Contains(r.ResourceType));
    }

    /// <summary>The surrogate set that would drive the query, or null when no criterion can (so the type is walked).</summary>
    public IQueryable<long>? DriverSet(IReadOnlyList<string> types, IReadOnlyList<SearchCriterion> criteria) =>
        criteria.Select(c => Translate(types, c)).Where(t => t.Driver is not null).OrderBy(t => t.Rank).FirstOrDefault()?.Driver;

    /// <param name="walk">
    /// Use no driving set: every criterion is a per-row EXISTS while the rows are walked in surrogate order. For a
    /// broad criterion (thousands of matches) under the default sort this stops after one page, where an IN list would
    /// first collect every match.
    /// </param>
    public IQueryable<ResourceEntity> Filter(
        IQueryable<ResourceEntity> rows, IReadOnlyList<string> types, IReadOnlyList<SearchCriterion> criteria, bool walk = false)
    {
        var translated = criteria.Select(c => Translate(types, c)).ToList();
        var driver = walk ? null : translated.Where(t => t.Driver is not null).OrderBy(t => t.Rank).FirstOrDefault();
        foreach (var t in translated)
        {
            if (ReferenceEquals(t, driver))
            {
                var set = t.Driver!;
                rows = rows.Where(r => set.Contains(r.Surrogate));
            }
            else
            {
                rows = rows.Where(t.Filter);
            }
        }

        return rows;
    }

    private Translated Translate(IReadOnlyList<string> types, SearchCriterion criterion) => criterion switch
    {
        ParameterCriterion p => Parameter(types, p),
        ChainedCriterion c => Chain(types, c),
        ReverseChainedCriterion h => ReverseChain(types, h),
        AnyOfCriterion a => AnyOf(types, a),
        _ => throw new NotSupportedException($"Unknown criterion {criterion.GetType().Name}"),
    };

    private Translated Parameter(IReadOnlyList<string> types, ParameterCriterion c)
    {
        var name = c.Parameter.Name;
        if (name == ResourceIdParameter.Name && c.Parameter.Type == SearchParamType.Token)
        {
            return ResourceId(types, c);
        }

        if (c.Modifier == SearchModifier.Missing)
        {
            var any = AnyRow(types, c.Parameter);
            var missing = ((MissingSearchValue)c.Values[0]).Missing;
            return missing ? new Translated(int.MaxValue, null, any.Filter.Not()) : any with { Rank = 8 };
        }

        switch (c.Parameter.Type)
        {
            case SearchParamType.Token when c.Modifier == SearchModifier.Text:
                return Matches<TokenIndexEntity>(7, types, name, Predicates.Or(c.Values.Cast<StringSearchValue>().Select(ValuePredicates.TokenText)));
            case SearchParamType.Token:
                var tokens = Matches<TokenIndexEntity>(TokenRank(c), types, name, Predicates.Or(c.Values.Cast<TokenSearchValue>().Select(ValuePredicates.Token)));

                // :not matches resources without any matching code, including those with no code at all (R4).
                return c.Modifier == SearchModifier.Not ? new Translated(int.MaxValue, null, tokens.Filter.Not()) : tokens;
            case SearchParamType.String:
                return Matches<StringIndexEntity>(5, types, name, Predicates.Or(c.Values.Cast<StringSearchValue>().Select(v => ValuePredicates.String(v, c.Modifier))));
            case SearchParamType.Date:
                return Matches<DateIndexEntity>(6, types, name, Predicates.Or(c.Values.Cast<DateSearchValue>().Select(v => ValuePredicates.Date(v, now))));
            case SearchParamType.Number:
                return Matches<NumberIndexEntity>(6, types, name, Predicates.Or(c.Values.Cast<NumberSearchValue>().Select(ValuePredicates.Number)));
            case SearchParamType.Quantity:
                return Matches<QuantityIndexEntity>(6, types, name, Predicates.Or(c.Values.Cast<QuantitySearchValue>().Select(ValuePredicates.Quantity)));
            case SearchParamType.Reference when c.Modifier == SearchModifier.Identifier:
                // Reference.identifier is indexed as a token under the reference parameter's own name.
                return Matches<TokenIndexEntity>(2, types, name, Predicates.Or(c.Values.Cast<TokenSearchValue>().Select(ValuePredicates.Token)));
            case SearchParamType.Reference:
                return Matches<ReferenceIndexEntity>(1, types, name, Predicates.Or(c.Values.Cast<ReferenceSearchValue>().Select(ValuePredicates.Reference)));
            case SearchParamType.Uri:
                return Matches<UriIndexEntity>(3, types, name, Predicates.Or(c.Values.Cast<UriSearchValue>().Select(ValuePredicates.Uri)));
            case SearchParamType.Composite:
                return Composite(types, c);
            default:
                throw new NotSupportedException($"Search parameter type {c.Parameter.Type} is not translatable");
        }
    }

    /// <summary>
    /// `_id` on the version row's own id column (<see cref="ResourceIdParameter"/>), with the meaning its token rows had:
    /// a code without a system (or with the empty one) matches the id, anything with a system matches nothing, `:text`
    /// matches nothing (an id has no display text), and every resource has an id (`:missing`).
    /// </summary>
    private Translated ResourceId(IReadOnlyList<string> types, ParameterCriterion c)
    {
        if (c.Modifier == SearchModifier.Missing)
        {
            var missing = ((MissingSearchValue)c.Values[0]).Missing;
            return new Translated(int.MaxValue, null, r => !missing);
        }

        List<string> ids = c.Modifier == SearchModifier.Text
            ? []
            : c.Values.Cast<TokenSearchValue>().Where(v => string.IsNullOrEmpty(v.System) && v.Code is not null).Select(v => v.Code!).Distinct(StringComparer.Ordinal).ToList();
        Expression<Func<ResourceEntity, bool>> filter = ids.Count switch
        {
            0 => r => false,
            1 => IdEquals(ids[0]),
            _ => r => ids.Contains(r.ResourceId),
        };
        if (c.Modifier == SearchModifier.Not)
        {
            return new Translated(int.MaxValue, null, filter.Not());
        }

        // The current-version index (tenant, type, id) finds each id with one seek.
        var set = CurrentRows(types).Where(filter).Select(r => r.Surrogate);
        return new Translated(0, set, filter);
    }

    private static Expression<Func<ResourceEntity, bool>> IdEquals(string id) => r => r.ResourceId == id;

    /// <summary>_id and identifiers are near-unique; a system-qualified code is narrower than a bare one.</summary>
    private static int TokenRank(ParameterCriterion c) =>
        c.Parameter.Name is "_id" or "identifier" ? 0 : c.Values.OfType<TokenSearchValue>().All(v => !string.IsNullOrEmpty(v.System) && v.Code is not null) ? 3 : 4;

    private Translated Composite(IReadOnlyList<string> types, ParameterCriterion c)
    {
        IQueryable<long>? union = null;
        foreach (var value in c.Values.Cast<CompositeSearchValue>())
        {
            IQueryable<long>? keys = null;
            for (var i = 0; i < value.Components.Count; i++)
            {
                var componentKeys = ComponentKeys(types, IndexRowMapper.ComponentParamName(c.Parameter.Name, i), c.Parameter.Components[i].Type, value.Components[i]);
                if (keys is null)
                {
                    keys = componentKeys;
                }
                else
                {
                    var previous = keys;
                    keys = previous.Where(k => componentKeys.Contains(k));
                }
            }

            var surrogates = keys!.Select(k => k / CompositeGroupSpan);
            union = union is null ? surrogates : union.Union(surrogates);
        }

        var set = union!;
        return new Translated(4, set, r => set.Contains(r.Surrogate));
    }

    /// <summary>(surrogate, group) of the component rows matching one component value, folded into one number.</summary>
    private IQueryable<long> ComponentKeys(IReadOnlyList<string> types, string paramName, SearchParamType type, SearchValue value) => type switch
    {
        SearchParamType.Token => Keys(Rows<TokenIndexEntity>(types, paramName).Where(ValuePredicates.Token((TokenSearchValue)value))),
        SearchParamType.String => Keys(Rows<StringIndexEntity>(types, paramName).Where(ValuePredicates.String((StringSearchValue)value, SearchModifier.None))),
        SearchParamType.Date => Keys(Rows<DateIndexEntity>(types, paramName).Where(ValuePredicates.Date((DateSearchValue)value, now))),
        SearchParamType.Number => Keys(Rows<NumberIndexEntity>(types, paramName).Where(ValuePredicates.Number((NumberSearchValue)value))),
        SearchParamType.Quantity => Keys(Rows<QuantityIndexEntity>(types, paramName).Where(ValuePredicates.Quantity((QuantitySearchValue)value))),
        SearchParamType.Reference => Keys(Rows<ReferenceIndexEntity>(types, paramName).Where(ValuePredicates.Reference((ReferenceSearchValue)value))),
        SearchParamType.Uri => Keys(Rows<UriIndexEntity>(types, paramName).Where(ValuePredicates.Uri((UriSearchValue)value))),
        _ => throw new NotSupportedException($"Composite component type {type} is not translatable"),
    };

    private static IQueryable<long> Keys<T>(IQueryable<T> rows)
        where T : SearchIndexEntity =>
        rows.Select(x => (x.ResourceSurrogate * CompositeGroupSpan) + (x.CompositeGroup ?? 0));

    /// <summary>`ref.param=x`: the reference points at a current target that satisfies the inner criterion.</summary>
    private Translated Chain(IReadOnlyList<string> types, ChainedCriterion c)
    {
        var targetType = c.TargetType;
        var targetIds = Filter(CurrentRows([targetType]), [targetType], [c.Inner]).Select(t => t.ResourceId);
        return Matches<ReferenceIndexEntity>(2, types, c.Reference.Name, x => x.TargetType == targetType && targetIds.Contains(x.TargetId!));
    }

    /// <summary>`_has:Source:ref:param=x`: some current Source resource that satisfies the inner criterion points here.</summary>
    private Translated ReverseChain(IReadOnlyList<string> types, ReverseChainedCriterion c)
    {
        var (sourceType, referenceName) = (c.SourceType, c.Reference.Name);
        var sources = Filter(CurrentRows([sourceType]), [sourceType], [c.Inner]).Select(s => s.Surrogate);
        var references = db.ReferenceIndex.Where(tenant.Param<ReferenceIndexEntity>([sourceType], referenceName)).Where(x => sources.Contains(x.ResourceSurrogate));
        return new Translated(int.MaxValue, null, r => references.Any(x => x.TargetId == r.ResourceId && x.TargetType == r.ResourceType));
    }

    /// <summary>
    /// OR across criteria: the union of their surrogate sets drives the query when every alternative has one (the
    /// compartment's reference parameters all do), and the OR of their EXISTS checks filters otherwise.
    /// </summary>
    private Translated AnyOf(IReadOnlyList<string> types, AnyOfCriterion c)
    {
        var alternatives = c.Alternatives.Select(a => Translate(types, a)).ToList();
        var filter = Predicates.Or(alternatives.Select(a => a.Filter));
        if (alternatives.Any(a => a.Driver is null))
        {
            return new Translated(int.MaxValue, null, filter);
        }

        var set = alternatives.Select(a => a.Driver!).Aggregate((all, next) => all.Union(next));
        return new Translated(alternatives.Max(a => a.Rank), set, filter);
    }

    /// <summary>Any index row at all for the parameter (`:missing`).</summary>
    private Translated AnyRow(IReadOnlyList<string> types, SearchParameterInfo parameter)
    {
        var name = parameter.Name;
        return parameter.Type switch
        {
            SearchParamType.Token => Matches<TokenIndexEntity>(8, types, name, null),
            SearchParamType.String => Matches<StringIndexEntity>(8, types, name, null),
            SearchParamType.Date => Matches<DateIndexEntity>(8, types, name, null),
            SearchParamType.Number => Matches<NumberIndexEntity>(8, types, name, null),
            SearchParamType.Quantity => Matches<QuantityIndexEntity>(8, types, name, null),
            SearchParamType.Reference => Matches<ReferenceIndexEntity>(8, types, name, null),
            SearchParamType.Uri => Matches<UriIndexEntity>(8, types, name, null),
            SearchParamType.Composite => ComponentRows(types, parameter),
            _ => throw new NotSupportedException($"Search parameter type {parameter.Type} is not translatable"),
        };
    }

    private Translated ComponentRows(IReadOnlyList<string> types, SearchParameterInfo parameter)
    {
        // Every combination has a row for its first component, so those rows say whether any value exists.
        var name = IndexRowMapper.ComponentParamName(parameter.Name, 0);
        return parameter.Components[0].Type switch
        {
            SearchParamType.Token => Matches<TokenIndexEntity>(8, types, name, null),
            SearchParamType.String => Matches<StringIndexEntity>(8, types, name, null),
            SearchParamType.Date => Matches<DateIndexEntity>(8, types, name, null),
            SearchParamType.Number => Matches<NumberIndexEntity>(8, types, name, null),
            SearchParamType.Quantity => Matches<QuantityIndexEntity>(8, types, name, null),
            SearchParamType.Reference => Matches<ReferenceIndexEntity>(8, types, name, null),
            _ => Matches<UriIndexEntity>(8, types, name, null),
        };
    }

    /// <summary>
    /// The rows of one parameter that satisfy <paramref name="predicate"/> (null: any row), as a driving surrogate set
    /// and as a correlated EXISTS. The EXISTS deliberately leaves tenant and type out: the surrogate implies both, and
    /// without them the planner can only pick the (resource, parameter) index — a handful of rows per resource —
    /// instead of walking the whole parameter through a wider lookup index.
    /// </summary>
    private Translated Matches<T>(int rank, IReadOnlyList<string> types, string paramName, Expression<Func<T, bool>>? predicate)
        where T : SearchIndexEntity
    {
        var rows = Rows<T>(types, paramName);
        var perResource = db.Set<T>().Where(x => x.ParamName == paramName);
        if (predicate is not null)
        {
            rows = rows.Where(predicate);
            perResource = perResource.Where(predicate);
        }

        var set = rows.Select(x => x.ResourceSurrogate);
        return new Translated(rank, set, r => perResource.Any(x => x.ResourceSurrogate == r.Surrogate));
    }

    private IQueryable<T> Rows<T>(IReadOnlyList<string> types, string paramName)
        where T : SearchIndexEntity =>
        db.Set<T>().Where(tenant.Param<T>(types, paramName));
}
