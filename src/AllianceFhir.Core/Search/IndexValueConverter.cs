using AllianceFhir.Core.References;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// Turns one FHIRPath result (a POCO: Coding, HumanName, FhirDateTime, …) into the typed index values of a
/// parameter of the given type. Values of a shape the type does not cover yield nothing.
/// </summary>
internal static class IndexValueConverter
{
    /// <param name="serviceBase">This server's base: a literal reference that is an absolute URL under it is indexed as the local one.</param>
    public static void Convert(string param, SearchParamType type, Base? value, List<SearchIndexValue> into, ServiceBase serviceBase)
    {
        if (value is null)
        {
            return;
        }

        switch (type)
        {
            case SearchParamType.Token:
                Token(param, value, into);
                break;
            case SearchParamType.String:
                String(param, value, into);
                break;
            case SearchParamType.Date:
                Date(param, value, into);
                break;
            case SearchParamType.Reference:
                Reference(param, value, into, serviceBase);
                break;
            case SearchParamType.Uri:
                if (PrimitiveText(value) is { } uri)
                {
                    var (u, version) = SplitCanonical(uri);
                    into.Add(new UriIndexValue(param, u, version));
                }

                break;
            case SearchParamType.Number:
                if (value is PrimitiveType { JsonValue: var n } && ToDecimal(n) is { } number)
                {
                    var (low, high) = DecimalPrecision.RangeOf(number);
                    into.Add(new NumberIndexValue(param, number, low, high));
                }

                break;
            case SearchParamType.Quantity:
                Quantity(param, value, into);
                break;
        }
    }

    /// <summary>Splits <c>url|version</c>; only canonicals carry the bar, so it is safe for every uri.</summary>
    public static (string Url, string? Version) SplitCanonical(string value)
    {
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? (value, null) : (value[..bar], value[(bar + 1)..]);
    }

    private static void Token(string param, Base value, List<SearchIndexValue> into)
    {
        switch (value)
        {
            case Coding c:
                AddToken(param, c.System, c.Code, c.Display, into);
                break;
            case CodeableConcept cc:
                foreach (var c in cc.Coding)
                {
                    AddToken(param, c.System, c.Code, c.Display, into);
                }

                // The concept's own text gets a code-less row so :text finds it even without codings.
                if (!string.IsNullOrEmpty(cc.Text))
                {
                    into.Add(new TokenIndexValue(param, null, null, SearchText.Normalize(cc.Text)));
                }

                break;
            case Identifier i:
                AddToken(param, i.System, i.Value, i.Type?.Text, into);
                break;
            case ContactPoint cp:
                // R4 token on ContactPoint: the system is the kind of contact (phone, email, …).
                AddToken(param, cp.SystemElement?.JsonValue as string, cp.Value, null, into);
                break;
            case FhirBoolean b when b.Value is { } flag:
                into.Add(new TokenIndexValue(param, null, flag ? "true" : "false", null));
                break;
            case PrimitiveType p when p.JsonValue is bool flag:
                into.Add(new TokenIndexValue(param, null, flag ? "true" : "false", null));
                break;
            case PrimitiveType p when PrimitiveText(p) is { } code:
                into.Add(new TokenIndexValue(param, null, code, null));
                break;
        }
    }

    private static void AddToken(string param, string? system, string? code, string? text, List<SearchIndexValue> into)
    {
        if (system is null && code is null && text is null)
        {
            return;
        }

        into.Add(new TokenIndexValue(param, system, code, text is null ? null : SearchText.Normalize(text)));
    }

    private static void String(string param, Base value, List<SearchIndexValue> into)
    {
        switch (value)
        {
            case HumanName n:
                AddString(param, n.Text, into);
                AddString(param, n.Family, into);
                foreach (var part in n.Given.Concat(n.Prefix).Concat(n.Suffix))
                {
                    AddString(param, part, into);
                }

                break;
            case Address a:
                AddString(param, a.Text, into);
                foreach (var line in a.Line)
                {
                    AddString(param, line, into);
                }

                AddString(param, a.City, into);
                AddString(param, a.District, into);
                AddString(param, a.State, into);
                AddString(param, a.PostalCode, into);
                AddString(param, a.Country, into);
                break;
            case PrimitiveType p:
                AddString(param, PrimitiveText(p), into);
                break;
        }
    }

    private static void AddString(string param, string? text, List<SearchIndexValue> into)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            into.Add(new StringIndexValue(param, SearchText.Normalize(text), text));
        }
    }

    private static void Date(string param, Base value, List<SearchIndexValue> into)
    {
        switch (value)
        {
            case Period period:
                // An open end is unbounded on that side (R4: a missing end means "ongoing").
                var start = FhirDateRange.TryParse(period.Start, out var s) ? s.Start : DateTime.MinValue;
                var end = FhirDateRange.TryParse(period.End, out var e) ? e.End : DateTime.MaxValue;
                if (period.Start is not null || period.End is not null)
                {
                    into.Add(new DateIndexValue(param, start, end));
                }

                break;
            case Timing timing:
                foreach (var evt in timing.EventElement)
                {
                    Date(param, evt, into);
                }

                break;
            case PrimitiveType p when FhirDateRange.TryParse(PrimitiveText(p), out var range):
                into.Add(new DateIndexValue(param, range.Start, range.End));
                break;
        }
    }

    private static void Reference(string param, Base value, List<SearchIndexValue> into, ServiceBase serviceBase)
    {
        switch (value)
        {
            case ResourceReference r:
                if (r.Reference is { } reference)
                {
                    AddReference(param, reference, into, serviceBase);
                }

                // Kept under the reference parameter's name so `param:identifier=system|value` is a token lookup.
                if (r.Identifier is { } identifier)
                {
                    AddToken(param, identifier.System, identifier.Value, null, into);
                }

                break;
            case PrimitiveType p when PrimitiveText(p) is { } text:
                // canonical / uri targets (QuestionnaireResponse.questionnaire): url and |version. A canonical names a
                // resource by its url element wherever it lives, so one under our base is not taken for a literal reference.
                var (url, version) = SplitCanonical(text);
                if (TryParseRelative(url, out var type, out var id, out var historyVersion))
                {
                    into.Add(new ReferenceIndexValue(param, type, id, null, version ?? historyVersion));
                }
                else
                {
                    into.Add(new ReferenceIndexValue(param, null, null, url, version));
                }

                break;
        }
    }

    private static void AddReference(string param, string reference, List<SearchIndexValue> into, ServiceBase serviceBase)
    {
        // Contained (#id) references point inside this resource, which is not searchable on its own.
        if (reference.StartsWith('#'))
        {
            return;
        }

        if (TryParseRelative(reference, out var type, out var id, out var version)
            || (serviceBase.Localize(reference) is { } local && TryParseRelative(local, out type, out id, out version)))
        {
            into.Add(new ReferenceIndexValue(param, type, id, null, version));
        }
        else
        {
            var (url, canonicalVersion) = SplitCanonical(reference);
            into.Add(new ReferenceIndexValue(param, null, null, url, canonicalVersion));
        }
    }

    /// <summary>Type/id or Type/id/_history/vid, with a known R4 resource type.</summary>
    internal static bool TryParseRelative(string reference, out string type, out string id, out string? version)
    {
        type = id = string.Empty;
        version = null;
        var parts = reference.Split('/');
        if (parts.Length is not (2 or 4) || (parts.Length == 4 && parts[2] != "_history"))
        {
            return false;
        }

        if (!ModelInfo.IsKnownResource(parts[0]) || parts[1].Length == 0)
        {
            return false;
        }

        type = parts[0];
        id = parts[1];
        version = parts.Length == 4 ? parts[3] : null;
        return true;
    }

    private static void Quantity(string param, Base value, List<SearchIndexValue> into)
    {
        switch (value)
        {
            case Quantity { Value: { } v } q:
                var (low, high) = DecimalPrecision.RangeOf(v);
                // Without a coded unit the human unit is the only thing a `||unit` search can match.
                into.Add(new QuantityIndexValue(param, q.System, q.Code ?? q.Unit, v, low, high));
                break;
            case Hl7.Fhir.Model.Range range when range.Low?.Value is not null || range.High?.Value is not null:
                var unit = range.Low ?? range.High!;
                var lowValue = range.Low?.Value ?? decimal.MinValue;
                var highValue = range.High?.Value ?? decimal.MaxValue;
                into.Add(new QuantityIndexValue(param, unit.System, unit.Code ?? unit.Unit, range.Low?.Value ?? range.High!.Value!.Value, lowValue, highValue));
                break;
        }
    }

    private static string? PrimitiveText(Base value) => value switch
    {
        PrimitiveType { JsonValue: string s } => s,
        PrimitiveType { JsonValue: bool b } => b ? "true" : "false",
        PrimitiveType { JsonValue: { } o } => System.Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    private static decimal? ToDecimal(object? value) => value switch
    {
        decimal d => d,
        int i => i,
        long l => l,
        string s when decimal.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
