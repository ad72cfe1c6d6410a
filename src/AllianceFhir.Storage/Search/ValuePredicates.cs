using System.Linq.Expressions;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using AllianceFhir.Storage.Configurations;
using AllianceFhir.Storage.Entities;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// One search value as a predicate on the rows of its index table. Every lambda captures locals, so EF Core sends
/// the values as SQL parameters and caches one plan per query shape.
/// </summary>
/// <remarks>
/// Dates, numbers and quantities are ranges on both sides (R4 search.html#prefix): the search value stands for
/// [S, E] and the indexed value for [s, e]. Because s ≤ e, the spec's prefixes reduce to comparisons of single bounds:
/// eq: S ≤ s and e ≤ E; gt: e &gt; E; lt: s &lt; S; ge: s ≥ S or e &gt; E; le: e ≤ E or s &lt; S; sa: s &gt; E;
/// eb: e &lt; S; ne: not eq; ap: the ranges overlap once the search range is widened by 10 %.
/// Dates are closed ranges (tick resolution); numbers are half-open [low, high), so the strict and non-strict
/// comparisons swap places at the upper bound. ge and le also carry a bound they imply, so an index can seek.
/// </remarks>
internal static class ValuePredicates
{
    public static Expression<Func<TokenIndexEntity, bool>> Token(TokenSearchValue value)
    {
        var (system, code) = (value.System, value.Code);
        return system switch
        {
            null => x => x.Code == code,
            "" => x => x.System == null && x.Code == code,
            _ when code is null => x => x.System == system,
            _ => x => x.System == system && x.Code == code,
        };
    }

    /// <summary>token :text: starts-with on the normalized display text.</summary>
    public static Expression<Func<TokenIndexEntity, bool>> TokenText(StringSearchValue value)
    {
        var prefix = value.Normalized;
        return x => x.Text != null && x.Text.StartsWith(prefix);
    }

    public static Expression<Func<StringIndexEntity, bool>> String(StringSearchValue value, SearchModifier modifier)
    {
        var normalized = value.Normalized.Length > ColumnLengths.StringValue ? value.Normalized[..ColumnLengths.StringValue] : value.Normalized;
        var exact = value.Value;
        return modifier switch
        {
            SearchModifier.Exact => x => x.Exact == exact,
            SearchModifier.Contains => x => x.Normalized.Contains(normalized),

            // StartsWith alone is LIKE 'x%', which SQLite cannot serve from a BINARY index; the redundant lower bound
            // lets every provider seek to the first candidate.
            _ => x => x.Normalized.CompareTo(normalized) >= 0 && x.Normalized.StartsWith(normalized),
        };
    }

    public static Expression<Func<DateIndexEntity, bool>> Date(DateSearchValue value, DateTime now)
    {
        var (start, end) = (value.Start, value.End);
        switch (value.Prefix)
        {
            case SearchPrefix.Eq:
                return x => x.Start >= start && x.End <= end;
            case SearchPrefix.Ne:
                return x => x.Start < start || x.End > end;
            case SearchPrefix.Gt:
                return x => x.End > end;
            case SearchPrefix.Lt:
                return x => x.Start < start;
            case SearchPrefix.Ge:
                // The first conjunct is implied by the second (e ≥ s ≥ S, or e > E ≥ S); it gives the index a range to seek.
                return x => x.End >= start && (x.Start >= start || x.End > end);
            case SearchPrefix.Le:
                return x => x.Start <= end && (x.End <= end || x.Start < start);
            case SearchPrefix.Sa:
                return x => x.Start > end;
            case SearchPrefix.Eb:
                return x => x.End < start;
            case SearchPrefix.Ap:
                // R4 leaves "approximately" to the server; 10 % of the distance from now, as the spec's example suggests.
                var gap = Math.Abs((now - start).Ticks) / 10;
                var low = new DateTime(Math.Max(DateTime.MinValue.Ticks, start.Ticks - gap), DateTimeKind.Utc);
                var high = new DateTime(Math.Min(DateTime.MaxValue.Ticks, end.Ticks + gap), DateTimeKind.Utc);
                return x => x.Start <= high && x.End >= low;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Prefix, "Unknown prefix");
        }
    }

    public static Expression<Func<NumberIndexEntity, bool>> Number(NumberSearchValue value)
    {
        var (low, high) = Bounds(value.Prefix, value.Value, value.Low, value.High);
        return value.Prefix switch
        {
            SearchPrefix.Eq => x => x.Low >= low && x.High <= high,
            SearchPrefix.Ne => x => x.Low < low || x.High > high,
            SearchPrefix.Gt => x => x.High > high,
            SearchPrefix.Lt => x => x.Low < low,
            SearchPrefix.Ge => x => x.High > low && (x.Low >= low || x.High > high),
            SearchPrefix.Le => x => x.Low < high && (x.High <= high || x.Low < low),
            SearchPrefix.Sa => x => x.Low >= high,
            SearchPrefix.Eb => x => x.High <= low,
            SearchPrefix.Ap => x => x.Low < high && x.High > low,
            _ => throw new ArgumentOutOfRangeException(nameof(value), value.Prefix, "Unknown prefix"),
        };
    }

    public static Expression<Func<QuantityIndexEntity, bool>> Quantity(QuantitySearchValue value)
    {
        var (low, high) = Bounds(value.Prefix, value.Value, value.Low, value.High);
        Expression<Func<QuantityIndexEntity, bool>> range = value.Prefix switch
        {
            SearchPrefix.Eq => x => x.Low >= low && x.High <= high,
            SearchPrefix.Ne => x => x.Low < low || x.High > high,
            SearchPrefix.Gt => x => x.High > high,
            SearchPrefix.Lt => x => x.Low < low,
            SearchPrefix.Ge => x => x.High > low && (x.Low >= low || x.High > high),
            SearchPrefix.Le => x => x.Low < high && (x.High <= high || x.Low < low),
            SearchPrefix.Sa => x => x.Low >= high,
            SearchPrefix.Eb => x => x.High <= low,
            SearchPrefix.Ap => x => x.Low < high && x.High > low,
            _ => throw new ArgumentOutOfRangeException(nameof(value), value.Prefix, "Unknown prefix"),
        };

        var (system, code) = (value.System, value.Code);
        if (code is not null)
        {
            // The lookup index leads with the unit code, so a search with a unit is a seek.
            range = system is null
                ? ((Expression<Func<QuantityIndexEntity, bool>>)(x => x.Code == code)).And(range)
                : ((Expression<Func<QuantityIndexEntity, bool>>)(x => x.Code == code && x.System == system)).And(range);
        }
        else if (system is not null)
        {
            range = ((Expression<Func<QuantityIndexEntity, bool>>)(x => x.System == system)).And(range);
        }

        return range;
    }

    public static Expression<Func<ReferenceIndexEntity, bool>> Reference(ReferenceSearchValue value)
    {
        if (value.TargetId is { } id)
        {
            var type = value.TargetType;
            return type is null
                ? x => x.TargetId == id
                : x => x.TargetId == id && x.TargetType == type;
        }

        var url = value.Url ?? throw FhirOperationException.BadRequest("A reference search value needs an id or a URL.");
        var version = value.Version;
        return version is null
            ? x => x.Url == url
            : x => x.Url == url && x.Version == version;
    }

    public static Expression<Func<UriIndexEntity, bool>> Uri(UriSearchValue value)
    {
        var (uri, version) = (value.Uri, value.Version);
        return version is null
            ? x => x.Uri == uri
            : x => x.Uri == uri && x.Version == version;
    }

    /// <summary>The search range as doubles (the index columns' type); ap widens it by 10 % of the value.</summary>
    private static (double Low, double High) Bounds(SearchPrefix prefix, decimal value, decimal low, decimal high)
    {
        if (prefix == SearchPrefix.Ap)
        {
            var gap = Math.Abs(value) / 10;
            return ((double)(low - gap), (double)(high + gap));
        }

        return ((double)low, (double)high);
    }
}
