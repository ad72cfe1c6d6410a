using System.Linq.Expressions;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// Runs one page of a <see cref="SearchRequest"/>: filter (<see cref="CriterionTranslator"/>), order by the sort keys
/// and then the surrogate (a unique, stable tie-break), continue after the cursor's position (keyset, never OFFSET),
/// fetch one row more than the page to know whether a next page exists, then load includes.
/// </summary>
internal sealed class EfSearchEngine(FhirDbContext db, TenantRows tenant, DateTime now)
{
    public async Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken ct)
    {
        var query = request.Query;
        var (matching, sorts, cursor, pageQuery) = Prepare(request, walk: await IsBroadUnsortedAsync(request, ct));

        int? total = null;
        if (query.Total is TotalMode.Accurate or TotalMode.Estimate || query.Summary == SummaryMode.Count)
        {
            total = await matching.CountAsync(ct);
        }

        if (query.Summary == SummaryMode.Count || query.Count == 0)
        {
            return new SearchResult([], [], total ?? await matching.CountAsync(ct), null, null);
        }

        var backward = cursor?.Backward ?? false;
        var rows = await pageQuery.ToListAsync(ct);

        var more = rows.Count > query.Count;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        if (backward)
        {
            rows.Reverse();
        }

        var hasNext = backward || more;
        var hasPrevious = backward ? more : cursor is not null;
        var next = hasNext && rows.Count > 0 ? await CursorAtAsync(sorts, rows[^1], backward: false, ct) : null;
        var previous = hasPrevious && rows.Count > 0 ? await CursorAtAsync(sorts, rows[0], backward: true, ct) : null;

        // When the first page holds every match, the total is known without counting.
        if (total is null && query.Total != TotalMode.None && cursor is null && !more)
        {
            total = rows.Count;
        }

        var included = query.Includes.Count + query.RevIncludes.Count == 0
            ? []
            : await new IncludeLoader(db, tenant).LoadAsync(query, rows, ct);
        return new SearchResult(
            [.. rows.Select(EfResourceStore.ToVersion)],
            [.. included.Select(EfResourceStore.ToVersion)],
            query.Total == TotalMode.None ? null : total,
            next,
            previous);
    }

    /// <summary>The page query (one row more than the page) without running it: SQL checks look at its text.</summary>
    internal IQueryable<ResourceEntity> PageQuery(SearchRequest request, bool walk = false) => Prepare(request, walk).Page;

    /// <summary>
    /// Under the default (surrogate) order, a driving set above this size is slower to collect than walking the
    /// type's rows in order and stopping after a page; a probe of at most this many index entries decides.
    /// </summary>
    private const int WalkThreshold = 2000;

    /// <summary>Marks the probe's SQL (it counts a LIMITed index range, which plans show as a scan of that subquery).</summary>
    internal const string ProbeTag = "search-driver-probe";

    private async Task<bool> IsBroadUnsortedAsync(SearchRequest request, CancellationToken ct)
    {
        if (request.Query.Sort.Count > 0 || request.Query.Summary == SummaryMode.Count)
        {
            return false;
        }

        var driver = new CriterionTranslator(db, tenant, now).DriverSet(request.ResourceTypes, request.Query.Criteria);
        return driver is not null && await driver.Take(WalkThreshold + 1).TagWith(ProbeTag).CountAsync(ct) > WalkThreshold;
    }

    private (IQueryable<ResourceEntity> Matching, List<SortExpression> Sorts, SearchCursor? Cursor, IQueryable<ResourceEntity> Page) Prepare(
        SearchRequest request, bool walk)
    {
        var query = request.Query;
        var translator = new CriterionTranslator(db, tenant, now);
        var matching = translator.Filter(translator.CurrentRows(request.ResourceTypes), request.ResourceTypes, query.Criteria, walk);
        var sorts = query.Sort.Select(k => SortExpression.For(db, k)).ToList();
        var cursor = request.Cursor is null ? null : SearchCursor.Decode(request.Cursor, sorts.Count);
        var page = cursor is null ? matching : matching.Where(Beyond(sorts, cursor));
        return (matching, sorts, cursor, Order(page, sorts, cursor?.Backward ?? false).Take(query.Count + 1));
    }

    private static IQueryable<ResourceEntity> Order(IQueryable<ResourceEntity> rows, List<SortExpression> sorts, bool reverse)
    {
        IOrderedQueryable<ResourceEntity>? ordered = null;
        for (var i = 0; i < sorts.Count; i++)
        {
            ordered = sorts[i].Order(ordered ?? rows, first: i == 0, reverse);
        }

        return ordered is null
            ? (reverse ? rows.OrderByDescending(r => r.Surrogate) : rows.OrderBy(r => r.Surrogate))
            : (reverse ? ordered.ThenByDescending(r => r.Surrogate) : ordered.ThenBy(r => r.Surrogate));
    }

    /// <summary>
    /// Rows strictly after (or, walking backwards, before) the cursor in (key₁, …, keyₙ, surrogate) order:
    /// k₁ beyond v₁, or k₁ = v₁ and k₂ beyond v₂, …, or all keys equal and the surrogate beyond.
    /// </summary>
    private static Expression<Func<ResourceEntity, bool>> Beyond(List<SortExpression> sorts, SearchCursor cursor)
    {
        var r = Expression.Parameter(typeof(ResourceEntity), "r");
        var surrogate = Expression.Property(r, nameof(ResourceEntity.Surrogate));
        var position = Expression.Property(Expression.Constant(new SurrogateHolder(cursor.Surrogate)), nameof(SurrogateHolder.Value));
        Expression result = cursor.Backward ? Expression.LessThan(surrogate, position) : Expression.GreaterThan(surrogate, position);
        for (var i = sorts.Count - 1; i >= 0; i--)
        {
            var equal = sorts[i].EqualTo(r, cursor.Keys[i]);
            var beyond = sorts[i].Beyond(r, cursor.Keys[i], cursor.Backward);
            result = Expression.OrElse(beyond, Expression.AndAlso(equal, result));
        }

        return Expression.Lambda<Func<ResourceEntity, bool>>(result, r);
    }

    private async Task<string> CursorAtAsync(List<SortExpression> sorts, ResourceEntity row, bool backward, CancellationToken ct)
    {
        var keys = new List<string>(sorts.Count);
        foreach (var sort in sorts)
        {
            keys.Add(await sort.ValueAsync(db.Resources.AsNoTracking(), row.Surrogate, ct));
        }

        return new SearchCursor(backward, row.Surrogate, keys).Encode();
    }

    private sealed class SurrogateHolder(long value)
    {
        public long Value { get; } = value;
    }
}
