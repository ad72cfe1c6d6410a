using System.Globalization;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// Turns the query parameters of a type-level search into a <see cref="SearchQuery"/>. Parameters the server does
/// not know or does not support (unknown names, unsupported standard modifiers such as <c>:below</c>) are collected
/// in <see cref="SearchQuery.Ignored"/>; the caller decides between lenient and <c>Prefer: handling=strict</c>.
/// Malformed values (a bad date, an unknown prefix, a modifier that cannot apply to the type) throw a 400.
/// </summary>
/// <param name="serviceBase">
/// This server's base: a reference value that is an absolute URL under it searches as its relative form (R4 search.html,
/// reference: "A relative reference resolving to the same value as a specified absolute URL, or vice versa, qualifies as
/// a match"), as the index holds such references. Null: none known, absolute values match only themselves.
/// </param>
public sealed class SearchQueryParser(SearchParameterRegistry registry, ServiceBase? serviceBase = null)
{
    // R4 modifiers that exist but need terminology or hierarchy support this server does not have.
    private static readonly HashSet<string> UnsupportedStandardModifiers = new(StringComparer.Ordinal)
    {
        "in", "not-in", "below", "above", "of-type",
    };

    public SearchQuery Parse(string resourceType, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters as IReadOnlyCollection<KeyValuePair<string, string>> ?? [.. parameters];
        CheckCharacters(list);
        if (!registry.Supports(resourceType))
        {
            throw FhirOperationException.NotFound($"Resource type '{resourceType}' is not supported.");
        }

        var criteria = new List<SearchCriterion>();
        var sort = new List<SortKey>();
        var includes = new List<IncludeSpec>();
        var revIncludes = new List<IncludeSpec>();
        var elements = new List<string>();
        var ignored = new List<IgnoredParameter>();
        var count = SearchQuery.DefaultCount;
        var summary = SummaryMode.False;
        var total = TotalMode.Unspecified;
        var valueCount = 0;

        foreach (var (key, value) in list)
        {
            // The format parameters only shape the HTTP response; the API layer handles them.
            if (string.IsNullOrEmpty(key) || ResultParameters.Format.Contains(key))
            {
                continue;
            }

            // R4: a parameter without a value is ignored (browsers send empty form fields).
            if (string.IsNullOrEmpty(value))
            {
                ignored.Add(new IgnoredParameter(key, value ?? string.Empty, "the parameter has no value."));
                continue;
            }

            switch (key)
            {
                case "_count":
                    count = ParseCount(value);
                    continue;
                case "_sort":
                    ParseSort(resourceType, value, sort, ignored);
                    continue;
                case "_include" or "_include:iterate" or "_revinclude" or "_revinclude:iterate":
                    ParseInclude(resourceType, key, value, key.StartsWith("_include", StringComparison.Ordinal) ? includes : revIncludes, ignored);
                    continue;
                case "_summary":
                    summary = ResourceSubsetting.ParseSummary(value);
                    continue;
                case "_elements":
                    elements.AddRange(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                    continue;
                case "_total":
                    total = ParseTotal(value);
                    continue;
            }

            valueCount += SearchValueText.Split(value, ',').Count;
            if (valueCount > SearchQuery.MaxValues)
            {
                throw FhirOperationException.Of(
                    System.Net.HttpStatusCode.BadRequest,
                    OperationOutcome.IssueType.TooCostly,
                    $"The search names more than {SearchQuery.MaxValues} values in all (comma-separated alternatives and repeated parameters each count); split it into several searches.");
            }

            var result = ParseCriterion(resourceType, key, value, key);
            if (result.Criterion is not null)
            {
                criteria.Add(result.Criterion);
            }
            else
            {
                ignored.Add(new IgnoredParameter(key, value, result.IgnoredReason!));
            }
        }

        return new SearchQuery(resourceType, criteria, count, sort, includes, revIncludes, summary, elements, total, ignored);
    }

    /// <summary>
    /// Refuses names and values holding characters FHIR strings cannot (<see cref="FhirCharacters"/>), before any of
    /// them is parsed, compared with stored text, or quoted back in an outcome that has to be sendable as XML. Every
    /// way a search arrives (query string, form body, If-None-Exist, conditional URLs, Bundle entries) passes here.
    /// </summary>
    public static void CheckCharacters(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (key, value) in parameters)
        {
            var name = FhirCharacters.Printable(key ?? string.Empty);
            var bad = FhirCharacters.FirstInvalid(key ?? string.Empty);
            if (bad >= 0)
            {
                throw FhirOperationException.BadRequest(
                    $"The search parameter name '{name}' contains the character U+{(int)key![bad]:X4}; search parameter names and values cannot contain control characters.",
                    name);
            }

            bad = FhirCharacters.FirstInvalid(value ?? string.Empty);
            if (bad >= 0)
            {
                throw FhirOperationException.BadRequest(
                    $"Parameter '{name}': the value contains the character U+{(int)value![bad]:X4} at offset {bad}; search values cannot contain control characters.",
                    name);
            }
        }
    }

    /// <summary>Either a criterion, or why the parameter was ignored.</summary>
    private readonly record struct CriterionResult(SearchCriterion? Criterion, string? IgnoredReason)
    {
        public static CriterionResult Ignore(string reason) => new(null, reason);

        public static implicit operator CriterionResult(SearchCriterion criterion) => new(criterion, null);
    }

    /// <param name="key">What is left of the parameter name at this depth of a chain.</param>
    /// <param name="fullKey">The parameter name as the client sent it, for messages.</param>
    private CriterionResult ParseCriterion(string resourceType, string key, string value, string fullKey)
    {
        if (key.StartsWith("_has:", StringComparison.Ordinal))
        {
            return ParseReverseChain(resourceType, key, value, fullKey);
        }

        var dot = key.IndexOf('.', StringComparison.Ordinal);
        var head = dot < 0 ? key : key[..dot];
        var colon = head.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? head : head[..colon];
        var modifierText = colon < 0 ? null : head[(colon + 1)..];

        if (!registry.TryGet(resourceType, name, out var parameter))
        {
            return CriterionResult.Ignore($"'{name}' is not a supported search parameter of {resourceType}.");
        }

        if (parameter.Type == SearchParamType.Special)
        {
            return CriterionResult.Ignore($"'{name}' is a special parameter this server does not support.");
        }

        if (dot >= 0)
        {
            return ParseChain(resourceType, parameter, modifierText, key[(dot + 1)..], value, fullKey);
        }

        if (modifierText is not null && UnsupportedStandardModifiers.Contains(modifierText))
        {
            return CriterionResult.Ignore($"the modifier ':{modifierText}' is not supported.");
        }

        var (modifier, targetType) = ParseModifier(parameter, modifierText, fullKey);
        if (Audit.AuditEventSearch.IsVirtual(resourceType) && Audit.AuditEventSearch.Unsupported(name, modifier) is { } unsupported)
        {
            return CriterionResult.Ignore(unsupported);
        }

        if (modifier == SearchModifier.Missing)
        {
            return new ParameterCriterion(parameter, modifier, null, [new MissingSearchValue(ParseBoolean(value, fullKey))]);
        }

        var values = SearchValueText.Split(value, ',')
            .SelectMany(raw => SearchValueParser.ParseAll(parameter, modifier, targetType, raw, fullKey, serviceBase ?? ServiceBase.None))
            .ToList();
        return new ParameterCriterion(parameter, modifier, targetType, values);
    }

    private CriterionResult ParseChain(
        string resourceType, SearchParameterInfo reference, string? typeModifier, string rest, string value, string fullKey)
    {
        if (reference.Type != SearchParamType.Reference)
        {
            throw FhirOperationException.BadRequest($"Parameter '{fullKey}': only reference parameters can be chained; '{reference.Name}' is a {reference.Type.ToString().ToLowerInvariant()}.");
        }

        if (Audit.AuditEventSearch.IsVirtual(resourceType) || Audit.AuditEventSearch.IsVirtual(typeModifier))
        {
            return CriterionResult.Ignore(Audit.AuditEventSearch.NotLinked);
        }

        string targetType;
        if (typeModifier is not null)
        {
            if (!reference.Targets.Contains(typeModifier))
            {
                throw FhirOperationException.BadRequest($"Parameter '{fullKey}': {resourceType}.{reference.Name} cannot point at '{typeModifier}'.");
            }

            if (!registry.Supports(typeModifier))
            {
                return CriterionResult.Ignore($"chaining into {typeModifier}, a type this server does not store, is not supported.");
            }

            targetType = typeModifier;
        }
        else
        {
            // Without a type, the chain is only meaningful if exactly one stored target type has the next parameter.
            var nextName = rest.Split('.', ':')[0];
            var candidates = reference.Targets
                .Where(t => registry.Supports(t) && !Audit.AuditEventSearch.IsVirtual(t) && (registry.TryGet(t, nextName, out _) || nextName.StartsWith("_has", StringComparison.Ordinal)))
                .ToList();
            if (candidates.Count == 0)
            {
                return CriterionResult.Ignore($"no stored target type of {resourceType}.{reference.Name} has a parameter '{nextName}'.");
            }

            if (candidates.Count > 1)
            {
                throw FhirOperationException.BadRequest(
                    $"Parameter '{fullKey}' is ambiguous: {reference.Name} can point at {string.Join(", ", candidates)}; " +
                    $"name the type, e.g. '{reference.Name}:{candidates[0]}.{rest}'.");
            }

            targetType = candidates[0];
        }

        var inner = ParseCriterion(targetType, rest, value, fullKey);
        return inner.Criterion is null ? inner : new ChainedCriterion(reference, targetType, inner.Criterion);
    }

    private CriterionResult ParseReverseChain(string resourceType, string key, string value, string fullKey)
    {
        // _has:SourceType:referenceParam:rest, where rest is a parameter of SourceType (or another _has).
        var parts = key.Split(':', 4);
        if (parts.Length < 4 || parts[1].Length == 0 || parts[2].Length == 0 || parts[3].Length == 0)
        {
            throw FhirOperationException.BadRequest($"Parameter '{fullKey}' is not of the form _has:Type:reference:parameter.");
        }

        var (sourceType, referenceName, rest) = (parts[1], parts[2], parts[3]);
        if (Audit.AuditEventSearch.IsVirtual(sourceType) || Audit.AuditEventSearch.IsVirtual(resourceType))
        {
            return CriterionResult.Ignore(Audit.AuditEventSearch.NotLinked);
        }

        if (!registry.Supports(sourceType))
        {
            return CriterionResult.Ignore($"_has on {sourceType}, a type this server does not store, is not supported.");
        }

        if (!registry.TryGet(sourceType, referenceName, out var reference))
        {
            return CriterionResult.Ignore($"'{referenceName}' is not a supported search parameter of {sourceType}.");
        }

        if (reference.Type != SearchParamType.Reference)
        {
            throw FhirOperationException.BadRequest($"Parameter '{fullKey}': {sourceType}.{referenceName} is not a reference parameter.");
        }

        if (reference.Targets.Count > 0 && !reference.Targets.Contains(resourceType))
        {
            throw FhirOperationException.BadRequest($"Parameter '{fullKey}': {sourceType}.{referenceName} never points at {resourceType}.");
        }

        var inner = ParseCriterion(sourceType, rest, value, fullKey);
        return inner.Criterion is null ? inner : new ReverseChainedCriterion(sourceType, reference, inner.Criterion);
    }

    private static (SearchModifier Modifier, string? TargetType) ParseModifier(SearchParameterInfo parameter, string? text, string key)
    {
        if (text is null)
        {
            return (SearchModifier.None, null);
        }

        var modifier = text switch
        {
            "missing" => SearchModifier.Missing,
            "exact" when parameter.Type == SearchParamType.String => SearchModifier.Exact,
            "contains" when parameter.Type == SearchParamType.String => SearchModifier.Contains,
            "text" when parameter.Type == SearchParamType.Token => SearchModifier.Text,
            "not" when parameter.Type == SearchParamType.Token => SearchModifier.Not,
            "identifier" when parameter.Type == SearchParamType.Reference => SearchModifier.Identifier,
            _ when parameter.Type == SearchParamType.Reference && parameter.Targets.Contains(text) => SearchModifier.Type,
            _ => (SearchModifier?)null,
        };

        if (modifier is null)
        {
            var typeName = parameter.Type.ToString().ToLowerInvariant();
            throw FhirOperationException.BadRequest(
                parameter.Type == SearchParamType.Reference && ModelInfo.IsKnownResource(text)
                    ? $"Parameter '{key}': {parameter.ResourceType}.{parameter.Name} cannot point at '{text}'."
                    : $"Parameter '{key}': the modifier ':{text}' does not apply to the {typeName} parameter '{parameter.Name}'.");
        }

        return (modifier.Value, modifier == SearchModifier.Type ? text : null);
    }

    private static bool ParseBoolean(string value, string key) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw FhirOperationException.BadRequest($"Parameter '{key}' takes true or false, not '{value}'."),
    };

    private static int ParseCount(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw FhirOperationException.BadRequest($"_count must be a non-negative integer, not '{value}'.");
        }

        // Above the maximum the server returns pages of the maximum size (R4 lets a server return fewer).
        return Math.Min(count, SearchQuery.MaxCount);
    }

    private void ParseSort(string resourceType, string value, List<SortKey> sort, List<IgnoredParameter> ignored)
    {
        foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var descending = item.StartsWith('-');
            var name = descending ? item[1..] : item;
            if (registry.TryGet(resourceType, name, out var parameter) && parameter.Type is not (SearchParamType.Composite or SearchParamType.Special)
                && (!Audit.AuditEventSearch.IsVirtual(resourceType) || Audit.AuditEventSearch.Sortable.Contains(name)))
            {
                sort.Add(new SortKey(parameter, descending));
            }
            else
            {
                ignored.Add(new IgnoredParameter("_sort", item, $"cannot sort {resourceType} by '{name}'."));
            }
        }
    }

    private void ParseInclude(string resourceType, string key, string value, List<IncludeSpec> into, List<IgnoredParameter> ignored)
    {
        var iterate = key.EndsWith(":iterate", StringComparison.Ordinal);
        var isRev = key.StartsWith("_revinclude", StringComparison.Ordinal);
        var parts = value.Split(':');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw FhirOperationException.BadRequest($"{key}: '{value}' is not of the form SourceType:parameter[:TargetType].");
        }

        var (sourceType, name, target) = (parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
        if (name == "*")
        {
            ignored.Add(new IgnoredParameter(key, value, "wildcard includes are not supported; name the reference parameter."));
            return;
        }

        // Without :iterate an _include starts from the searched type; a _revinclude must come back to it.
        if (!isRev && !iterate && sourceType != resourceType)
        {
            ignored.Add(new IgnoredParameter(key, value, $"_include must start from {resourceType} (use _include:iterate for other types)."));
            return;
        }

        if (Audit.AuditEventSearch.IsVirtual(sourceType) || Audit.AuditEventSearch.IsVirtual(target)
            || (isRev && Audit.AuditEventSearch.IsVirtual(resourceType)))
        {
            ignored.Add(new IgnoredParameter(key, value, Audit.AuditEventSearch.NotLinked));
            return;
        }

        if (!registry.TryGet(sourceType, name, out var parameter) || parameter.Type != SearchParamType.Reference)
        {
            ignored.Add(new IgnoredParameter(key, value, $"'{name}' is not a supported reference parameter of {sourceType}."));
            return;
        }

        if (target is not null && !parameter.Targets.Contains(target))
        {
            throw FhirOperationException.BadRequest($"{key}: {sourceType}.{name} cannot point at '{target}'.");
        }

        into.Add(new IncludeSpec(sourceType, parameter, target, iterate));
    }

    private static TotalMode ParseTotal(string value) => value switch
    {
        "none" => TotalMode.None,
        "estimate" => TotalMode.Estimate,
        "accurate" => TotalMode.Accurate,
        _ => throw FhirOperationException.BadRequest($"_total must be none, estimate or accurate, not '{value}'."),
    };
}
