using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Scoring;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.OperationOutcome;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace AllianceFhir.Instruments.Validation;

/// <summary>
/// Checks a Questionnaire definition before it is stored, so a clinic's own instrument cannot break every response
/// later: the R4 invariants on items (que-1 … que-12 where they concern structure), enableWhen targets, and that every
/// FHIRPath expression the server will evaluate compiles and every cut-off band is well-formed.
/// </summary>
public sealed class QuestionnaireDefinitionValidator(ScoringEngine scoring)
{
    private static readonly HashSet<string> FhirPathExtensions =
    [
        ExtensionUrls.CalculatedExpression,
        ExtensionUrls.Variable,
        ExtensionUrls.EnableWhenExpression,
    ];

    public OperationOutcome Validate(Questionnaire questionnaire)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        var issues = new List<IssueComponent>();
        var all = ItemTree.Flatten(questionnaire.Item).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in all.Where(i => i.LinkId is not null && !seen.Add(i.LinkId)))
        {
            issues.Add(Error(IssueType.Invariant, "Questionnaire", $"LinkId '{item.LinkId}' is used more than once (que-2)"));
        }

        CheckExpressions(questionnaire, "Questionnaire", issues);
        CheckItems(questionnaire.Item, "Questionnaire", all, issues);
        return new OperationOutcome { Issue = issues };
    }

    private void CheckItems(List<Questionnaire.ItemComponent> items, string path, List<Questionnaire.ItemComponent> all, List<IssueComponent> issues)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = $"{path}.item[{i}]";
            var type = item.KnownType();
            var name = item.LinkId ?? "(no linkId)";
            if (item.LinkId is null)
            {
                issues.Add(Error(IssueType.Required, at, "Item has no linkId"));
            }

            if (type == ItemType.Group && item.Item.Count == 0)
            {
                issues.Add(Error(IssueType.Invariant, at, $"Group '{name}' has no nested items (que-1)"));
            }

            if (type == ItemType.Display && item.Item.Count > 0)
            {
                issues.Add(Error(IssueType.Invariant, at, $"Display item '{name}' cannot have nested items (que-1)"));
            }

            if (item.AnswerOption.Count > 0 && item.AnswerValueSet is not null)
            {
                issues.Add(Error(IssueType.Invariant, at, $"Item '{name}' has both answerOption and answerValueSet (que-4)"));
            }

            if ((item.AnswerOption.Count > 0 || item.AnswerValueSet is not null)
                && type is not (ItemType.Choice or ItemType.OpenChoice or ItemType.Decimal or ItemType.Integer or ItemType.Date
                    or ItemType.DateTime or ItemType.Time or ItemType.String or ItemType.Quantity))
            {
                issues.Add(Error(IssueType.Invariant, at, $"Item '{name}' of type {item.RawType()} cannot have answer options (que-5)"));
            }

            if (type == ItemType.Display && (item.Required is not null || item.Repeats is not null || item.ReadOnly is not null))
            {
                issues.Add(Error(IssueType.Invariant, at, $"Display item '{name}' cannot be required, repeat or be read-only (que-6, que-9)"));
            }

            if (item.EnableWhen.Count > 1 && item.EnableBehavior is null)
            {
                issues.Add(Error(IssueType.Invariant, at, $"Item '{name}' has several enableWhen conditions but no enableBehavior (que-12)"));
            }

            for (var w = 0; w < item.EnableWhen.Count; w++)
            {
                CheckEnableWhen(item, item.EnableWhen[w], $"{at}.enableWhen[{w}]", all, issues);
            }

            CheckExpressions(item, at, issues);
            CheckBands(item, at, issues);
            CheckItems(item.Item, at, all, issues);
        }
    }

    private static void CheckEnableWhen(Questionnaire.ItemComponent item, Questionnaire.EnableWhenComponent condition, string at, List<Questionnaire.ItemComponent> all, List<IssueComponent> issues)
    {
        var target = all.FirstOrDefault(i => i.LinkId == condition.Question);
        if (target is null)
        {
            issues.Add(Error(IssueType.NotFound, at, $"Item '{item.LinkId}' depends on question '{condition.Question}', which does not exist"));
            return;
        }

        if (ReferenceEquals(target, item) || ItemTree.Flatten(item.Item).Contains(target))
        {
            issues.Add(Error(IssueType.BusinessRule, at, $"Item '{item.LinkId}' cannot be enabled by its own answer or by a question nested inside it ('{condition.Question}')"));
        }

        if (condition.Operator == Questionnaire.QuestionnaireItemOperator.Exists && condition.Answer is not FhirBoolean)
        {
            issues.Add(Error(IssueType.Invariant, at, $"Item '{item.LinkId}': the 'exists' operator needs a boolean answer (que-7)"));
        }
    }

    private void CheckExpressions(IExtendable element, string at, List<IssueComponent> issues)
    {
        foreach (var extension in element.Extension.Where(e => e.Url is not null && FhirPathExtensions.Contains(e.Url)))
        {
            if (extension.Value is not Hl7.Fhir.Model.Expression { Language: "text/fhirpath", Expression_: { } text })
            {
                continue;
            }

            var problem = scoring.CompileProblem(text);
            if (problem is not null)
            {
                issues.Add(Error(IssueType.Invalid, at, $"The FHIRPath expression '{text}' does not compile: {problem}"));
            }
        }
    }

    private static void CheckBands(Questionnaire.ItemComponent item, string at, List<IssueComponent> issues)
    {
        foreach (var band in item.GetExtensions(ExtensionUrls.ScoreInterpretation))
        {
            var min = (band.GetExtension("min")?.Value as FhirDecimal)?.Value;
            var max = (band.GetExtension("maxExclusive")?.Value as FhirDecimal)?.Value;
            if (band.GetExtension("interpretation")?.Value is not Coding || (min is not null && max is not null && min >= max))
            {
                issues.Add(Error(IssueType.Invalid, at, $"Score item '{item.LinkId}' has a score-interpretation band without an interpretation Coding or with min >= maxExclusive"));
            }

            // Extraction compares the age in completed years with the band's Range, so the Range must be in years.
            if (band.GetExtension("age") is { } age && (age.Value is not Hl7.Fhir.Model.Range range
                || new[] { range.Low, range.High }.Any(q => q is not null && (q.Value is null || q.Code != "a" || q.System != ExtensionUrls.Ucum))
                || (range.Low is null && range.High is null)))
            {
                issues.Add(Error(IssueType.Invalid, at, $"Score item '{item.LinkId}' has a score-interpretation band whose 'age' is not a Range in years (UCUM 'a')"));
            }
        }
    }

    private static IssueComponent Error(IssueType type, string expression, string message) => new()
    {
        Severity = IssueSeverity.Error,
        Code = type,
        Diagnostics = message,
        Expression = [expression],
    };
}
