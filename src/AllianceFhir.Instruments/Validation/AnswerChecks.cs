using System.Text.RegularExpressions;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.OperationOutcome;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace AllianceFhir.Instruments.Validation;

internal readonly record struct AnswerProblem(IssueType Type, string Message);

/// <summary>The checks on one answer value: type for the item type, permitted options, bounds and lengths.</summary>
internal static class AnswerChecks
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    public static IEnumerable<AnswerProblem> Check(
        Questionnaire questionnaire,
        Questionnaire.ItemComponent definition,
        DataType value,
        IReadOnlyList<QuestionnaireResponse.AnswerComponent> siblings)
    {
        var type = definition.KnownType();
        if (!TypeFits(definition, value))
        {
            yield return new(IssueType.Value, $"answer value must be of the type {Expected(definition)}, not {value.TypeName}");
            yield break;
        }

        if (type is ItemType.Choice or ItemType.OpenChoice)
        {
            foreach (var problem in CheckOptions(questionnaire, definition, value, siblings))
            {
                yield return problem;
            }
        }
        else if (definition.AnswerOption.Count > 0 && !definition.AnswerOption.Any(o => Same(o.Value, value)))
        {
            yield return new(IssueType.CodeInvalid, $"the value {Show(value)} is not in the set of permitted answer options");
        }

        foreach (var problem in CheckBounds(definition, value).Concat(ComplexAnswerChecks.Check(definition, value)))
        {
            yield return problem;
        }
    }

    private static bool TypeFits(Questionnaire.ItemComponent definition, DataType value) => definition.KnownType() switch
    {
        ItemType.Boolean => value is FhirBoolean,
        ItemType.Decimal => value is FhirDecimal,
        ItemType.Integer => value is Integer,
        ItemType.Date => value is Date,
        ItemType.DateTime => value is FhirDateTime or Date,
        ItemType.Time => value is Time,
        ItemType.String or ItemType.Text => value is FhirString,
        ItemType.Url => value is FhirUri,
        ItemType.Attachment => value is Attachment,
        ItemType.Reference => value is ResourceReference,
        ItemType.Quantity => value is Quantity,

        // R4 choice answers are Codings, or whatever primitive type the answerOptions use; open-choice adds free text.
        ItemType.Choice => value is Coding || definition.AnswerOption.Any(o => o.Value?.GetType() == value.GetType()),
        ItemType.OpenChoice => value is Coding or FhirString || definition.AnswerOption.Any(o => o.Value?.GetType() == value.GetType()),
        _ => true,
    };

    private static string Expected(Questionnaire.ItemComponent definition) => definition.KnownType() switch
    {
        ItemType.Choice => "Coding (or the type of the answer options)",
        ItemType.OpenChoice => "Coding or string",
        ItemType.Text => "string",
        ItemType.Url => "uri",
        ItemType.Reference => "Reference",
        var t => t?.ToString() is { } s ? char.ToLowerInvariant(s[0]) + s[1..] : "unknown",
    };

    private static IEnumerable<AnswerProblem> CheckOptions(
        Questionnaire questionnaire,
        Questionnaire.ItemComponent definition,
        DataType value,
        IReadOnlyList<QuestionnaireResponse.AnswerComponent> siblings)
    {
        var freeText = definition.KnownType() == ItemType.OpenChoice && value is FhirString;
        if (definition.AnswerOption.Count > 0)
        {
            var option = definition.AnswerOption.FirstOrDefault(o => Same(o.Value, value));
            if (option is null)
            {
                if (!freeText)
                {
                    var sameType = definition.AnswerOption.Any(o => o.Value?.GetType() == value.GetType());
                    yield return sameType
                        ? new(IssueType.CodeInvalid, $"the answer {Show(value)} is not in the set of permitted answer options")
                        : new(IssueType.CodeInvalid, $"the answer options have no values of type {value.TypeName}");
                }
            }
            else if (option.GetExtension(ExtensionUrls.OptionExclusive)?.Value is FhirBoolean { Value: true } && siblings.Count(s => s.Value is not null) > 1)
            {
                yield return new(IssueType.BusinessRule, $"the answer {Show(value)} is an exclusive option and cannot be combined with other answers");
            }

            yield break;
        }

        if (value is Coding coding && definition.AnswerValueSet is { } canonical)
        {
            var codes = LocalValueSetCodes(questionnaire, canonical);
            if (codes is not null && !codes.Any(c => AnswerCodingMatches(c, coding)))
            {
                yield return new(IssueType.CodeInvalid, $"the code {coding.System}#{coding.Code} is not in the value set {canonical}");
            }
        }
    }

    /// <summary>
    /// Codes of a contained ValueSet (<c>#id</c>), from its expansion or its enumerated includes (or a contained
    /// CodeSystem it includes whole). Null when the set cannot be enumerated locally: external value sets are not
    /// checked here (no terminology server), which callers see as "not checked" rather than as an error.
    /// </summary>
    private static List<Coding>? LocalValueSetCodes(Questionnaire questionnaire, string canonical)
    {
        if (!canonical.StartsWith('#'))
        {
            return null;
        }

        var valueSet = questionnaire.Contained.OfType<ValueSet>().FirstOrDefault(v => v.Id == canonical[1..]);
        if (valueSet is null)
        {
            return null;
        }

        if (valueSet.Expansion?.Contains.Count > 0)
        {
            return Flatten(valueSet.Expansion.Contains).Select(c => new Coding(c.System, c.Code)).ToList();
        }

        var codes = new List<Coding>();
        foreach (var include in valueSet.Compose?.Include ?? [])
        {
            if (include.Concept.Count > 0)
            {
                codes.AddRange(include.Concept.Select(c => new Coding(include.System, c.Code)));
                continue;
            }

            var system = questionnaire.Contained.OfType<CodeSystem>().FirstOrDefault(cs => cs.Url == include.System);
            if (system is null || include.Filter.Count > 0 || include.ValueSet.Any())
            {
                return null;
            }

            codes.AddRange(FlattenConcepts(system.Concept).Select(c => new Coding(system.Url, c.Code)));
        }

        return codes;
    }

    private static bool AnswerCodingMatches(Coding allowed, Coding answer) =>
        allowed.Code == answer.Code && (allowed.System is null || allowed.System == answer.System);

    private static IEnumerable<ValueSet.ContainsComponent> Flatten(IEnumerable<ValueSet.ContainsComponent> contains) =>
        contains.SelectMany(c => new[] { c }.Concat(Flatten(c.Contains)));

    private static IEnumerable<CodeSystem.ConceptDefinitionComponent> FlattenConcepts(IEnumerable<CodeSystem.ConceptDefinitionComponent> concepts) =>
        concepts.SelectMany(c => new[] { c }.Concat(FlattenConcepts(c.Concept)));

    /// <summary>Option matching: Codings by system and code (exact, case-sensitive), other types by value.</summary>
    private static bool Same(DataType? option, DataType value) => (option, value) switch
    {
        (Coding o, Coding v) => o.Code == v.Code && (o.System is null || o.System == v.System),
        (PrimitiveType o, PrimitiveType v) when o.GetType() == v.GetType() => string.Equals(o.ToString(), v.ToString(), StringComparison.Ordinal),
        (ResourceReference o, ResourceReference v) => o.Reference == v.Reference,
        _ => false,
    };

    private static IEnumerable<AnswerProblem> CheckBounds(Questionnaire.ItemComponent definition, DataType value)
    {
        if (value is Quantity)
        {
            yield break;
        }

        var min = definition.GetExtension(ExtensionUrls.MinValue)?.Value;
        if (min is not null)
        {
            var order = EnableWhenEvaluator.Order(value, min);
            if (order < 0)
            {
                yield return new(IssueType.Value, $"the value {Show(value)} is less than the allowed minimum of {Show(min)}");
            }
        }

        var max = definition.GetExtension(ExtensionUrls.MaxValue)?.Value;
        if (max is not null)
        {
            var order = EnableWhenEvaluator.Order(value, max);
            if (order > 0)
            {
                yield return new(IssueType.Value, $"the value {Show(value)} is greater than the allowed maximum of {Show(max)}");
            }
        }

        if (value is FhirDecimal { Value: { } d } && definition.GetExtension(ExtensionUrls.MaxDecimalPlaces)?.Value is Integer { Value: { } places } && DecimalPlaces(d) > places)
        {
            yield return new(IssueType.Value, $"the value {Show(value)} has more than {places} decimal places");
        }

        var text = value switch
        {
            FhirString s => s.Value,
            FhirUri u => u.Value,
            _ => null,
        };
        if (text is null)
        {
            yield break;
        }

        if (definition.MaxLength is { } maxLength && text.Length > maxLength)
        {
            yield return new(IssueType.Value, $"the answer is longer than the allowed maximum length of {maxLength}");
        }

        if (definition.GetExtension(ExtensionUrls.MinLength)?.Value is Integer { Value: { } minLength } && text.Length < minLength)
        {
            yield return new(IssueType.Value, $"the answer is shorter than the required minimum length of {minLength}");
        }

        if (definition.GetExtension(ExtensionUrls.Regex)?.Value is FhirString { Value: { } pattern } && !FullMatch(pattern, text))
        {
            yield return new(IssueType.Value, "the answer does not match the expected format (regex)");
        }
    }

    private static int DecimalPlaces(decimal value) => (decimal.GetBits(value)[3] >> 16) & 0xFF;

    private static bool FullMatch(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, $"^(?:{pattern})$", RegexOptions.None, RegexTimeout);
        }
        catch (ArgumentException)
        {
            // A broken pattern is the Questionnaire's fault; do not reject answers for it.
            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            return true;
        }
    }

    /// <summary>Values shown in messages: the caller's own values only (no PHI beyond what was sent).</summary>
    private static string Show(DataType value) => value switch
    {
        Coding c => $"{c.System}#{c.Code}",
        Quantity q => $"{q.Value} {q.Unit ?? q.Code}",
        PrimitiveType p => p.ToString() ?? string.Empty,
        _ => value.TypeName,
    };
}
