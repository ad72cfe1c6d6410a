using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// A subscription's criteria compiled once into a test on the search-index values of the version being written, so
/// matching a commit costs a few comparisons per active subscription and never a query. The index values are what a
/// search of the stored resource compares too, so a notification fires exactly for the versions the same search would
/// find. The comparisons mirror Storage's ValuePredicates (R4 search.html#prefix).
/// </summary>
public sealed class CriteriaMatcher
{
    private readonly Func<IReadOnlyList<SearchIndexValue>, bool>[] _criteria;

    private CriteriaMatcher(string resourceType, Func<IReadOnlyList<SearchIndexValue>, bool>[] criteria)
    {
        ResourceType = resourceType;
        _criteria = criteria;
    }

    public string ResourceType { get; }

    /// <summary>Whether a version of <see cref="ResourceType"/> with these index values matches every criterion.</summary>
    public bool Matches(IReadOnlyList<SearchIndexValue> index)
    {
        foreach (var criterion in _criteria)
        {
            if (!criterion(index))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Compiles a parsed search. Chains, <c>_has</c> and composite parameters would need other resources or rows the
    /// commit does not carry, so they are refused with the reason; the caller turns that into a 422.
    /// </summary>
    public static CriteriaMatcher Compile(SearchQuery query, Func<DateTime> now, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(query);
        refusal = null;
        var compiled = new List<Func<IReadOnlyList<SearchIndexValue>, bool>>();
        foreach (var criterion in query.Criteria)
        {
            if (criterion is not ParameterCriterion parameter)
            {
                refusal = "chained parameters and _has cannot be used in Subscription criteria: a notification is decided on the written resource alone";
                break;
            }

            if (parameter.Parameter.Type == SearchParamType.Composite)
            {
                refusal = $"the composite parameter {parameter.Parameter.Name} cannot be used in Subscription criteria";
                break;
            }

            compiled.Add(Compile(parameter, now));
        }

        return new CriteriaMatcher(query.ResourceType, [.. compiled]);
    }

    private static Func<IReadOnlyList<SearchIndexValue>, bool> Compile(ParameterCriterion c, Func<DateTime> now)
    {
        var name = c.Parameter.Name;
        if (c.Modifier == SearchModifier.Missing)
        {
            var missing = ((MissingSearchValue)c.Values[0]).Missing;
            return index => index.Any(v => v.ParamName == name) != missing;
        }

        Func<SearchIndexValue, bool> any = c.Parameter.Type switch
        {
            SearchParamType.Token when c.Modifier == SearchModifier.Text =>
                Any<TokenIndexValue, StringSearchValue>(c, (v, s) => v.Text is not null && v.Text.StartsWith(s.Normalized, StringComparison.Ordinal)),
            SearchParamType.Token => Any<TokenIndexValue, TokenSearchValue>(c, Token),
            SearchParamType.String => Any<StringIndexValue, StringSearchValue>(c, (v, s) => c.Modifier switch
            {
                SearchModifier.Exact => v.Exact == s.Value,
                SearchModifier.Contains => v.Normalized.Contains(s.Normalized, StringComparison.Ordinal),
                _ => v.Normalized.StartsWith(s.Normalized, StringComparison.Ordinal),
            }),
            SearchParamType.Date => Any<DateIndexValue, DateSearchValue>(c, (v, s) => Date(v, s, now)),
            SearchParamType.Number => Any<NumberIndexValue, NumberSearchValue>(c, (v, s) => Range(s.Prefix, s.Value, s.Low, s.High, v.Low, v.High)),
            SearchParamType.Quantity => Any<QuantityIndexValue, QuantitySearchValue>(c, Quantity),
            SearchParamType.Reference when c.Modifier == SearchModifier.Identifier => Any<TokenIndexValue, TokenSearchValue>(c, Token),
            SearchParamType.Reference => Any<ReferenceIndexValue, ReferenceSearchValue>(c, Reference),
            SearchParamType.Uri => Any<UriIndexValue, UriSearchValue>(c, (v, s) => v.Uri == s.Uri && (s.Version is null || v.Version == s.Version)),
            _ => throw new NotSupportedException($"Search parameter type {c.Parameter.Type} cannot be matched"),
        };

        // :not matches resources without any matching code, including those with no code at all (R4).
        return c.Modifier == SearchModifier.Not
            ? index => !index.Any(v => v.ParamName == name && any(v))
            : index => index.Any(v => v.ParamName == name && any(v));
    }

    private static Func<SearchIndexValue, bool> Any<TIndex, TValue>(ParameterCriterion c, Func<TIndex, TValue, bool> test)
        where TIndex : SearchIndexValue
        where TValue : SearchValue
    {
        var values = c.Values.OfType<TValue>().ToArray();
        return v => v is TIndex typed && values.Any(s => test(typed, s));
    }

    private static bool Token(TokenIndexValue v, TokenSearchValue s) => s.System switch
    {
        null => v.Code == s.Code,
        "" => v.System is null && v.Code == s.Code,
        _ when s.Code is null => v.System == s.System,
        _ => v.System == s.System && v.Code == s.Code,
    };

    private static bool Reference(ReferenceIndexValue v, ReferenceSearchValue s)
    {
        if (s.TargetId is { } id)
        {
            return v.TargetId == id && (s.TargetType is null || v.TargetType == s.TargetType);
        }

        return v.Url == s.Url && (s.Version is null || v.Version == s.Version);
    }

    private static bool Quantity(QuantityIndexValue v, QuantitySearchValue s) =>
        (s.Code is null || v.Code == s.Code)
        && (s.System is null || v.System == s.System)
        && Range(s.Prefix, s.Value, s.Low, s.High, v.Low, v.High);

    /// <summary>Numbers are half-open ranges [low, high) on both sides.</summary>
    private static bool Range(SearchPrefix prefix, decimal value, decimal low, decimal high, decimal vLow, decimal vHigh)
    {
        if (prefix == SearchPrefix.Ap)
        {
            var gap = Math.Abs(value) / 10;
            (low, high) = (low - gap, high + gap);
        }

        return prefix switch
        {
            SearchPrefix.Eq => vLow >= low && vHigh <= high,
            SearchPrefix.Ne => vLow < low || vHigh > high,
            SearchPrefix.Gt => vHigh > high,
            SearchPrefix.Lt => vLow < low,
            SearchPrefix.Ge => vHigh > low && (vLow >= low || vHigh > high),
            SearchPrefix.Le => vLow < high && (vHigh <= high || vLow < low),
            SearchPrefix.Sa => vLow >= high,
            SearchPrefix.Eb => vHigh <= low,
            SearchPrefix.Ap => vLow < high && vHigh > low,
            _ => false,
        };
    }

    /// <summary>Dates are closed ranges [start, end].</summary>
    private static bool Date(DateIndexValue v, DateSearchValue s, Func<DateTime> now)
    {
        var (start, end) = (s.Start, s.End);
        switch (s.Prefix)
        {
            case SearchPrefix.Eq: return v.Start >= start && v.End <= end;
            case SearchPrefix.Ne: return v.Start < start || v.End > end;
            case SearchPrefix.Gt: return v.End > end;
            case SearchPrefix.Lt: return v.Start < start;
            case SearchPrefix.Ge: return v.Start >= start || v.End > end;
            case SearchPrefix.Le: return v.End <= end || v.Start < start;
            case SearchPrefix.Sa: return v.Start > end;
            case SearchPrefix.Eb: return v.End < start;
            case SearchPrefix.Ap:
                var gap = Math.Abs((now() - start).Ticks) / 10;
                var low = new DateTime(Math.Max(DateTime.MinValue.Ticks, start.Ticks - gap), DateTimeKind.Utc);
                var high = new DateTime(Math.Min(DateTime.MaxValue.Ticks, end.Ticks + gap), DateTimeKind.Utc);
                return v.Start <= high && v.End >= low;
            default: return false;
        }
    }
}
