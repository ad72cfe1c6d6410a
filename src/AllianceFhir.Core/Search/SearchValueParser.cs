using System.Globalization;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>Parses one OR-ed value (escapes still in place) for a parameter type; malformed text is a 400.</summary>
internal static class SearchValueParser
{
    private static readonly Dictionary<string, SearchPrefix> Prefixes = new(StringComparer.Ordinal)
    {
        ["eq"] = SearchPrefix.Eq,
        ["ne"] = SearchPrefix.Ne,
        ["gt"] = SearchPrefix.Gt,
        ["lt"] = SearchPrefix.Lt,
        ["ge"] = SearchPrefix.Ge,
        ["le"] = SearchPrefix.Le,
        ["sa"] = SearchPrefix.Sa,
        ["eb"] = SearchPrefix.Eb,
        ["ap"] = SearchPrefix.Ap,
    };

    /// <summary>
    /// The values one comma-separated part stands for: itself, and for a reference that is an absolute URL under this
    /// server's base, its relative form too (the index holds literal references so). The URL stays among the values, as
    /// canonicals under our base and rows indexed before the base was known keep it.
    /// </summary>
    public static IEnumerable<SearchValue> ParseAll(
        SearchParameterInfo parameter, SearchModifier modifier, string? targetType, string raw, string key, ServiceBase serviceBase)
    {
        var value = Parse(parameter, modifier, targetType, raw, key);
        yield return value;
        if (value is ReferenceSearchValue { Url: { } url, Version: null }
            && serviceBase.Localize(url) is { } relative
            && IndexValueConverter.TryParseRelative(relative, out var type, out var id, out var version))
        {
            if (targetType is not null && targetType != type)
            {
                throw FhirOperationException.BadRequest($"Parameter '{key}': '{SearchValueText.Unescape(raw)}' is not a {targetType} reference.");
            }

            yield return new ReferenceSearchValue(type, id, null, version);
        }
    }

    public static SearchValue Parse(SearchParameterInfo parameter, SearchModifier modifier, string? targetType, string raw, string key) =>
        (parameter.Type, modifier) switch
        {
            (SearchParamType.Token, SearchModifier.Text) or (SearchParamType.String, _) => String(raw),
            (SearchParamType.Token, _) or (SearchParamType.Reference, SearchModifier.Identifier) => Token(raw),
            (SearchParamType.Date, _) => Date(raw, key),
            (SearchParamType.Number, _) => Number(raw, key),
            (SearchParamType.Quantity, _) => Quantity(raw, key),
            (SearchParamType.Reference, _) => Reference(parameter, targetType, raw, key),
            (SearchParamType.Uri, _) => Uri(raw, key),
            (SearchParamType.Composite, _) => Composite(parameter, raw, key),
            _ => throw FhirOperationException.BadRequest($"Parameter '{key}' has a type this server cannot search."),
        };

    private static StringSearchValue String(string raw)
    {
        var value = SearchValueText.Unescape(raw);
        return new StringSearchValue(value, SearchText.Normalize(value));
    }

    private static TokenSearchValue Token(string raw)
    {
        var parts = SearchValueText.Split(raw, '|');
        if (parts.Count == 1)
        {
            return new TokenSearchValue(null, SearchValueText.Unescape(parts[0]));
        }

        if (parts.Count > 2)
        {
            // A second unescaped bar is no token form; keep it as part of the code (R4 says to escape it).
            parts = [parts[0], string.Join('|', parts.Skip(1))];
        }

        var system = SearchValueText.Unescape(parts[0]);
        var code = SearchValueText.Unescape(parts[1]);
        return new TokenSearchValue(system, code.Length == 0 ? null : code);
    }

    private static DateSearchValue Date(string raw, string key)
    {
        var (prefix, rest) = SplitPrefix(raw, key);
        var text = SearchValueText.Unescape(rest);
        if (!FhirDateRange.TryParse(text, out var range))
        {
            throw FhirOperationException.BadRequest(
                $"Parameter '{key}': '{text}' is not a FHIR date (yyyy, yyyy-MM, yyyy-MM-dd or yyyy-MM-ddThh:mm[:ss[.fff]][Z|±hh:mm]).");
        }

        return new DateSearchValue(prefix, range.Start, range.End);
    }

    private static NumberSearchValue Number(string raw, string key)
    {
        var (prefix, rest) = SplitPrefix(raw, key);
        var (value, low, high) = ParseDecimal(SearchValueText.Unescape(rest), key);
        return new NumberSearchValue(prefix, value, low, high);
    }

    private static QuantitySearchValue Quantity(string raw, string key)
    {
        var (prefix, rest) = SplitPrefix(raw, key);
        var parts = SearchValueText.Split(rest, '|');
        if (parts.Count is not (1 or 3))
        {
            throw FhirOperationException.BadRequest(
                $"Parameter '{key}': '{SearchValueText.Unescape(rest)}' is not a quantity (number, number|system|code or number||code).");
        }

        var (value, low, high) = ParseDecimal(SearchValueText.Unescape(parts[0]), key);
        string? system = null, code = null;
        if (parts.Count == 3)
        {
            system = NullIfEmpty(SearchValueText.Unescape(parts[1]));
            code = NullIfEmpty(SearchValueText.Unescape(parts[2]));
        }

        return new QuantitySearchValue(prefix, value, low, high, system, code);
    }

    private static ReferenceSearchValue Reference(SearchParameterInfo parameter, string? targetType, string raw, string key)
    {
        var text = SearchValueText.Unescape(raw);
        if (text.Length == 0)
        {
            throw FhirOperationException.BadRequest($"Parameter '{key}' has an empty reference.");
        }

        if (IndexValueConverter.TryParseRelative(text, out var type, out var id, out var version))
        {
            if (targetType is not null && targetType != type)
            {
                throw FhirOperationException.BadRequest($"Parameter '{key}': '{text}' is not a {targetType} reference.");
            }

            return new ReferenceSearchValue(type, id, null, version);
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            // An absolute URL or canonical, possibly url|version (QuestionnaireResponse?questionnaire=url|1.0.0).
            var (url, canonicalVersion) = IndexValueConverter.SplitCanonical(text);
            return new ReferenceSearchValue(null, null, url, canonicalVersion);
        }

        if (text.Contains('/', StringComparison.Ordinal))
        {
            throw FhirOperationException.BadRequest($"Parameter '{key}': '{text}' is neither Type/id, an id nor an absolute URL.");
        }

        // A bare id: the type comes from the modifier, else from the parameter when it has a single target.
        var impliedType = targetType ?? (parameter.Targets.Count == 1 ? parameter.Targets[0] : null);
        return new ReferenceSearchValue(impliedType, text, null, null);
    }

    private static UriSearchValue Uri(string raw, string key)
    {
        var text = SearchValueText.Unescape(raw);
        if (text.Length == 0)
        {
            throw FhirOperationException.BadRequest($"Parameter '{key}' has an empty uri.");
        }

        var (uri, version) = IndexValueConverter.SplitCanonical(text);
        return new UriSearchValue(uri, version);
    }

    private static CompositeSearchValue Composite(SearchParameterInfo parameter, string raw, string key)
    {
        var parts = SearchValueText.Split(raw, '$');
        if (parts.Count != parameter.Components.Count)
        {
            throw FhirOperationException.BadRequest(
                $"Parameter '{key}' needs {parameter.Components.Count} values joined by '$' " +
                $"({string.Join('$', parameter.Components.Select(c => c.Name))}), got {parts.Count}.");
        }

        var values = new List<SearchValue>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var component = parameter.Components[i];
            var componentParameter = parameter with { Name = component.Name, Type = component.Type, Components = [] };
            values.Add(Parse(componentParameter, SearchModifier.None, null, parts[i], key));
        }

        return new CompositeSearchValue(values);
    }

    private static (SearchPrefix Prefix, string Remainder) SplitPrefix(string raw, string key)
    {
        if (raw.Length >= 2 && char.IsAsciiLetter(raw[0]) && char.IsAsciiLetter(raw[1]))
        {
            if (Prefixes.TryGetValue(raw[..2], out var prefix))
            {
                return (prefix, raw[2..]);
            }

            throw FhirOperationException.BadRequest(
                $"Parameter '{key}': unknown prefix '{raw[..2]}' in '{raw}' (expected one of {string.Join(", ", Prefixes.Keys)}).");
        }

        return (SearchPrefix.Eq, raw);
    }

    private static (decimal Value, decimal Low, decimal High) ParseDecimal(string text, string key)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var value))
        {
            throw FhirOperationException.BadRequest($"Parameter '{key}': '{text}' is not a number.");
        }

        var e = text.IndexOfAny(['e', 'E']);
        if (e < 0)
        {
            var (low, high) = DecimalPrecision.RangeOf(value);
            return (value, low, high);
        }

        // 1e2 is 100 at the precision of its mantissa (one significant figure): [50, 150).
        var mantissa = text[..e];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var mantissaScale = dot < 0 ? 0 : mantissa.Length - dot - 1;
        if (!int.TryParse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent))
        {
            throw FhirOperationException.BadRequest($"Parameter '{key}': the exponent of '{text}' is out of range.");
        }

        var range = DecimalPrecision.RangeOf(value, mantissaScale, exponent);
        return (value, range.Low, range.High);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
