using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Scoring;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.OperationOutcome;

namespace AllianceFhir.Instruments.Validation;

/// <summary>
/// Checks a QuestionnaireResponse against the Questionnaire it answers: item placement by linkId, enableWhen,
/// required items (completed/amended only), repeats, answer types and constraints, and the R4 invariants qrs-1/qrs-2.
/// Pure: no I/O, no changes to its inputs. Every issue names the linkId and carries a FHIRPath location.
/// </summary>
public static class QuestionnaireResponseValidator
{
    /// <param name="expressions">
    /// Evaluates SDC <c>enableWhenExpression</c>s; without it items carrying one are treated as enabled (a warning
    /// says so).
    /// </param>
    public static OperationOutcome Validate(Questionnaire questionnaire, QuestionnaireResponse response, ScoringEngine? expressions = null)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(response);
        var run = new Run(questionnaire, response, expressions);
        run.ValidateLevel(questionnaire.Item, response.Item, "QuestionnaireResponse", ResponseScope.Root(response));
        return new OperationOutcome { Issue = run.Issues };
    }

    private sealed class Run(Questionnaire questionnaire, QuestionnaireResponse response, ScoringEngine? expressions)
    {
        private readonly bool _checkRequired = response.Status is QuestionnaireResponse.QuestionnaireResponseStatus.Completed
            or QuestionnaireResponse.QuestionnaireResponseStatus.Amended;

        public List<IssueComponent> Issues { get; } = [];

        public void ValidateLevel(
            List<Questionnaire.ItemComponent> definitions,
            List<QuestionnaireResponse.ItemComponent> items,
            string path,
            ResponseScope outer)
        {
            var scope = outer.Inner(items);
            for (var i = 0; i < items.Count; i++)
            {
                var linkId = items[i].LinkId;
                if (linkId is null)
                {
                    Error(IssueType.Required, $"{path}.item[{i}]", "Response item has no linkId");
                }
                else if (!definitions.Any(d => d.LinkId == linkId))
                {
                    var elsewhere = ItemTree.Flatten(questionnaire.Item).Any(d => d.LinkId == linkId);
                    Error(
                        IssueType.NotFound,
                        $"{path}.item[{i}]",
                        elsewhere
                            ? $"LinkId '{linkId}' is not allowed at this place in the response: the questionnaire defines it elsewhere in the item tree"
                            : $"LinkId '{linkId}' not found in questionnaire");
                }
            }

            foreach (var definition in definitions)
            {
                var matches = items.Select((item, index) => (item, index)).Where(m => m.item.LinkId == definition.LinkId).ToList();
                var repeatingGroup = definition.KnownType() == Questionnaire.QuestionnaireItemType.Group && definition.Repeats == true;
                foreach (var (_, index) in matches.Skip(repeatingGroup ? int.MaxValue : 1))
                {
                    Error(
                        IssueType.Invariant,
                        $"{path}.item[{index}]",
                        $"Item '{definition.LinkId}' appears more than once here; repeated answers belong in the answer list of a single item (qrs-2)");
                }

                var enabled = EnableWhenEvaluator.IsEnabled(definition, scope) && ExpressionEnables(definition, path);
                if (!enabled)
                {
                    foreach (var (item, index) in matches.Where(m => ItemTree.HasAnyAnswer(m.item)))
                    {
                        Error(IssueType.BusinessRule, $"{path}.item[{index}]", $"Item '{definition.LinkId}' has an answer, but it is not enabled (enableWhen)");
                    }

                    continue;
                }

                CheckPresence(definition, matches, path);
                foreach (var (item, index) in matches)
                {
                    ValidateItem(definition, item, $"{path}.item[{index}]", scope);
                }
            }
        }

        private void CheckPresence(Questionnaire.ItemComponent definition, List<(QuestionnaireResponse.ItemComponent item, int index)> matches, string path)
        {
            // Calculated items are filled in by the server after validation (client values are discarded first).
            if (!_checkRequired || definition.KnownType() == Questionnaire.QuestionnaireItemType.Display
                || ScoringEngine.CalculatedExpressionOf(definition) is not null)
            {
                return;
            }

            var location = matches.Count > 0 ? $"{path}.item[{matches[0].index}]" : path;
            var isGroup = definition.KnownType() == Questionnaire.QuestionnaireItemType.Group;
            var count = isGroup
                ? matches.Count(m => ItemTree.HasAnyAnswer(m.item))
                : matches.Sum(m => m.item.Answer.Count(a => a.Value is not null));
            if (definition.Required == true && count == 0)
            {
                Error(
                    IssueType.Required,
                    location,
                    isGroup ? $"Required group '{definition.LinkId}' has no answered items" : $"Required item '{definition.LinkId}' has no answer");
                return;
            }

            var minOccurs = Int(definition, ExtensionUrls.MinOccurs);
            if (minOccurs is not null && count < minOccurs)
            {
                Error(IssueType.Required, location, $"Item '{definition.LinkId}' needs at least {minOccurs} answers but has {count}");
            }

            var maxOccurs = Int(definition, ExtensionUrls.MaxOccurs);
            if (maxOccurs is not null && count > maxOccurs)
            {
                Error(IssueType.Value, location, $"Item '{definition.LinkId}' allows at most {maxOccurs} answers but has {count}");
            }
        }

        private void ValidateItem(Questionnaire.ItemComponent definition, QuestionnaireResponse.ItemComponent item, string path, ResponseScope scope)
        {
            if (item.Answer.Count > 0 && item.Item.Count > 0)
            {
                Error(IssueType.Invariant, path, $"Item '{definition.LinkId}' has both answers and nested items; nested items go beneath one or the other (qrs-1)");
            }

            switch (definition.KnownType())
            {
                case Questionnaire.QuestionnaireItemType.Group:
                    if (item.Answer.Count > 0)
                    {
                        Error(IssueType.Structure, $"{path}.answer[0]", $"Item '{definition.LinkId}' is a group and cannot have answers");
                    }

                    ValidateLevel(definition.Item, item.Item, path, scope);
                    return;
                case Questionnaire.QuestionnaireItemType.Display:
                    if (item.Answer.Count > 0 || item.Item.Count > 0)
                    {
                        Error(IssueType.Structure, path, $"Item '{definition.LinkId}' is a display item and cannot have answers or nested items");
                    }

                    return;
            }

            if (definition.RawType() == ItemTypes.AbstractQuestion && item.Answer.Count > 0)
            {
                Error(IssueType.Structure, $"{path}.answer[0]", $"Item '{definition.LinkId}' is of the abstract type 'question' and cannot have answers");
                return;
            }

            if (item.Answer.Count > 1 && definition.Repeats != true)
            {
                Error(IssueType.Structure, $"{path}.answer[1]", $"Item '{definition.LinkId}' does not repeat but has {item.Answer.Count} answers");
            }

            for (var j = 0; j < item.Answer.Count; j++)
            {
                var answer = item.Answer[j];
                var answerPath = $"{path}.answer[{j}]";
                if (answer.Value is not null)
                {
                    foreach (var problem in AnswerChecks.Check(questionnaire, definition, answer.Value, item.Answer))
                    {
                        Error(problem.Type, answerPath, $"Item '{definition.LinkId}': {problem.Message}");
                    }
                }

                if (answer.Item.Count > 0)
                {
                    ValidateLevel(definition.Item, answer.Item, answerPath, scope);
                }
            }

            // Questions with children keep them under answer.item; some clients put them in item.item instead.
            if (item.Item.Count > 0)
            {
                ValidateLevel(definition.Item, item.Item, path, scope);
            }
        }

        /// <summary>
        /// SDC enableWhenExpression, evaluated over the whole response (%resource), so inside repeating groups it sees
        /// every instance, not just its own: enough for the whole-form conditions renderers typically write.
        /// </summary>
        private bool ExpressionEnables(Questionnaire.ItemComponent definition, string path)
        {
            if (definition.GetExtension(ExtensionUrls.EnableWhenExpression)?.Value is not Hl7.Fhir.Model.Expression { Language: "text/fhirpath", Expression_: { } text })
            {
                return true;
            }

            if (expressions is null)
            {
                Issues.Add(Warning(path, $"Item '{definition.LinkId}' has an enableWhenExpression that was not evaluated; it is treated as enabled"));
                return true;
            }

            try
            {
                var result = expressions.EvaluateForItem(text, questionnaire, response, definition);
                return result is [FhirBoolean { Value: true }] || result is [PrimitiveType { JsonValue: true }];
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Issues.Add(Warning(path, $"Item '{definition.LinkId}': its enableWhenExpression failed ({ex.Message}); it is treated as enabled"));
                return true;
            }
        }

        private static IssueComponent Warning(string expression, string message) => new()
        {
            Severity = IssueSeverity.Warning,
            Code = IssueType.Incomplete,
            Diagnostics = message,
            Expression = [expression],
        };

        private static int? Int(Questionnaire.ItemComponent definition, string url) =>
            (definition.GetExtension(url)?.Value as Integer)?.Value;

        private void Error(IssueType type, string expression, string message) =>
            Issues.Add(new IssueComponent
            {
                Severity = IssueSeverity.Error,
                Code = type,
                Diagnostics = message,
                Expression = [expression],
            });
    }
}
