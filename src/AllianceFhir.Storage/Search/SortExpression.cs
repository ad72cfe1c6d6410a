using System.Globalization;
using System.Linq.Expressions;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using AllianceFhir.Storage.Entities;
using SearchParamType = Hl7.Fhir.Model.SearchParamType;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// One `_sort` key as a per-resource SQL value: the smallest of the resource's index values for an ascending sort,
/// the largest for a descending one (R4), and a sentinel for resources without a value so they come last either way.
/// The same expression orders the rows and bounds the keyset, which is what keeps pages from overlapping.
/// </summary>
internal abstract class SortExpression(bool descending)
{
    public bool Descending { get; } = descending;

    public static SortExpression For(FhirDbContext db, Core.Search.SortKey key)
    {
        var name = key.Parameter.Name;
        var desc = key.Descending;
        switch (key.Parameter.Type)
        {
            case SearchParamType.Date:
            {
                var rows = db.DateIndex;
                return desc
                    ? new SortExpression<DateTime>(true, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Max(x => (DateTime?)x.Start) ?? DateTime.MinValue)
                    : new SortExpression<DateTime>(false, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Min(x => (DateTime?)x.Start) ?? DateTime.MaxValue);
            }

            case SearchParamType.Number:
            {
                var rows = db.NumberIndex;
                return desc
                    ? new SortExpression<double>(true, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Max(x => (double?)x.Low) ?? double.MinValue)
                    : new SortExpression<double>(false, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Min(x => (double?)x.Low) ?? double.MaxValue);
            }

            case SearchParamType.Quantity:
            {
                var rows = db.QuantityIndex;
                return desc
                    ? new SortExpression<double>(true, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Max(x => (double?)x.Low) ?? double.MinValue)
                    : new SortExpression<double>(false, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Min(x => (double?)x.Low) ?? double.MaxValue);
            }

            case SearchParamType.String:
            {
                var rows = db.StringIndex;
                return desc
                    ? new SortExpression<string>(true, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Max(x => x.Normalized) ?? string.Empty)
                    : new SortExpression<string>(false, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Min(x => x.Normalized) ?? HighString);
            }

            case SearchParamType.Token when name == ResourceIdParameter.Name:
                // Every resource has exactly one id, on its own row (ResourceIdParameter).
                return new SortExpression<string>(desc, r => r.ResourceId);

            case SearchParamType.Token:
            {
                var rows = db.TokenIndex;
                return desc
                    ? new SortExpression<string>(true, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Max(x => x.Code) ?? string.Empty)
                    : new SortExpression<string>(false, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Min(x => x.Code) ?? HighString);
            }

            case SearchParamType.Reference:
            {
                var rows = db.ReferenceIndex;
                return desc
                    ? new SortExpression<string>(true, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Max(x => x.TargetId ?? x.Url) ?? string.Empty)
                    : new SortExpression<string>(false, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Min(x => x.TargetId ?? x.Url) ?? HighString);
            }

            case SearchParamType.Uri:
            {
                var rows = db.UriIndex;
                return desc
                    ? new SortExpression<string>(true, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Max(x => x.Uri) ?? string.Empty)
                    : new SortExpression<string>(false, r => rows.Where(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == name).Min(x => x.Uri) ?? HighString);
            }

            default:
                throw new NotSupportedException($"Cannot sort by a {key.Parameter.Type} parameter");
        }
    }

    /// <summary>Sorts after any indexed text (the index columns are bounded well below this length).</summary>
    private static readonly string HighString = new('\uffff', 8);

    /// <summary>Adds this key to the ordering; <paramref name="reverse"/> walks backwards (previous page).</summary>
    public abstract IOrderedQueryable<ResourceEntity> Order(IQueryable<ResourceEntity> rows, bool first, bool reverse);

    /// <summary>key(r) == value.</summary>
    public abstract Expression EqualTo(ParameterExpression r, string value);

    /// <summary>key(r) comes strictly after value in this key's direction (before it when <paramref name="reverse"/>).</summary>
    public abstract Expression Beyond(ParameterExpression r, string value, bool reverse);

    /// <summary>The key's value for one resource, as cursor text.</summary>
    public abstract Task<string> ValueAsync(IQueryable<ResourceEntity> resources, long surrogate, CancellationToken cancellationToken);
}

internal sealed class SortExpression<TKey>(bool descending, Expression<Func<ResourceEntity, TKey>> key) : SortExpression(descending)
    where TKey : notnull
{
    public override IOrderedQueryable<ResourceEntity> Order(IQueryable<ResourceEntity> rows, bool first, bool reverse)
    {
        var desc = Descending != reverse;
        if (first)
        {
            return desc ? rows.OrderByDescending(key) : rows.OrderBy(key);
        }

        var ordered = (IOrderedQueryable<ResourceEntity>)rows;
        return desc ? ordered.ThenByDescending(key) : ordered.ThenBy(key);
    }

    public override Expression EqualTo(ParameterExpression r, string value) =>
        Expression.Equal(Body(r), Parameter(value));

    public override Expression Beyond(ParameterExpression r, string value, bool reverse)
    {
        var greater = Descending == reverse;
        if (typeof(TKey) == typeof(string))
        {
            // string has no > operator in expression trees; EF Core translates string.Compare(a, b) > 0 to a > b.
            var compare = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, Body(r), Parameter(value));
            return greater ? Expression.GreaterThan(compare, Expression.Constant(0)) : Expression.LessThan(compare, Expression.Constant(0));
        }

        return greater ? Expression.GreaterThan(Body(r), Parameter(value)) : Expression.LessThan(Body(r), Parameter(value));
    }

    public override async Task<string> ValueAsync(IQueryable<ResourceEntity> resources, long surrogate, CancellationToken cancellationToken)
    {
        var value = await resources.Where(r => r.Surrogate == surrogate).Select(key).FirstAsync(cancellationToken);
        return value switch
        {
            DateTime d => d.Ticks.ToString(CultureInfo.InvariantCulture),
            double n => n.ToString("R", CultureInfo.InvariantCulture),
            _ => (string)(object)value,
        };
    }

    private Expression Body(ParameterExpression r) => new Predicates.Rebinder(key.Parameters[0], r).Visit(key.Body);

    /// <summary>The cursor value, wrapped so EF Core sends it as a SQL parameter rather than inlining it in the plan.</summary>
    private static MemberExpression Parameter(string text)
    {
        object value;
        try
        {
            value = typeof(TKey) == typeof(DateTime)
                ? new DateTime(long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture), DateTimeKind.Utc)
                : typeof(TKey) == typeof(double)
                    ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
                    : text;
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            throw FhirOperationException.BadRequest("The paging cursor does not belong to this search.");
        }

        var holder = new ValueHolder((TKey)value);
        return Expression.Property(Expression.Constant(holder), nameof(ValueHolder.Value));
    }

    private sealed class ValueHolder(TKey value)
    {
        public TKey Value { get; } = value;
    }
}
