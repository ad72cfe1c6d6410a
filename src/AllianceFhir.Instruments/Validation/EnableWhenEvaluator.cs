using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Validation;

/// <summary>
/// Decides whether an item is enabled. Follows the HL7 reference validator where R4 leaves room: a condition on a
/// question that has no answer is false for every operator except <c>exists</c> (also for <c>!=</c>), and several
/// conditions without <c>enableBehavior</c> must all hold.
/// </summary>
internal static class EnableWhenEvaluator
{
    public static bool IsEnabled(Questionnaire.ItemComponent item, ResponseScope scope)
    {
        if (item.EnableWhen.Count == 0)
        {
            return true;
        }

        var results = item.EnableWhen.Select(condition => Holds(condition, scope));
        return item.EnableBehavior == Questionnaire.EnableWhenBehavior.Any ? results.Any(r => r) : results.All(r => r);
    }

    private static bool Holds(Questionnaire.EnableWhenComponent condition, ResponseScope scope)
    {
        var answers = condition.Question is null ? [] : scope.AnswersTo(condition.Question);
        if (condition.Operator == Questionnaire.QuestionnaireItemOperator.Exists)
        {
            var expected = (condition.Answer as FhirBoolean)?.Value ?? true;
            return answers.Count > 0 == expected;
        }

        return answers.Any(a => Compare(a.Value, condition.Answer, condition.Operator));
    }

    private static bool Compare(DataType? actual, DataType? expected, Questionnaire.QuestionnaireItemOperator? op)
    {
        if (actual is null || expected is null)
        {
            return false;
        }

        if (actual is Coding ac && expected is Coding ec)
        {
            var same = Scoring.AnswerWeights.SameCode(ac, ec);
            return op switch
            {
                Questionnaire.QuestionnaireItemOperator.Equal => same,
                Questionnaire.QuestionnaireItemOperator.NotEqual => !same,
                _ => false,
            };
        }

        var order = Order(actual, expected);
        return order is not null && op switch
        {
            Questionnaire.QuestionnaireItemOperator.Equal => order == 0,
            Questionnaire.QuestionnaireItemOperator.NotEqual => order != 0,
            Questionnaire.QuestionnaireItemOperator.GreaterThan => order > 0,
            Questionnaire.QuestionnaireItemOperator.LessThan => order < 0,
            Questionnaire.QuestionnaireItemOperator.GreaterOrEqual => order >= 0,
            Questionnaire.QuestionnaireItemOperator.LessOrEqual => order <= 0,
            _ => false,
        };
    }

    /// <summary>Orders two answer values of comparable types; null when they cannot be compared.</summary>
    internal static int? Order(DataType actual, DataType expected)
    {
        switch (actual, expected)
        {
            case (FhirBoolean a, FhirBoolean e):
                return a.Value == e.Value ? 0 : 1;
            case (Integer or FhirDecimal, Integer or FhirDecimal):
                var an = Number(actual);
                var en = Number(expected);
                return an is null || en is null ? null : an.Value.CompareTo(en.Value);
            case (Quantity a, Quantity e) when a.Value is not null && e.Value is not null && a.Code == e.Code && a.System == e.System:
                return a.Value.Value.CompareTo(e.Value.Value);
            case (Date or FhirDateTime or Instant, Date or FhirDateTime or Instant):
            case (Time a, Time e):
            case (FhirString or FhirUri or Code, FhirString or FhirUri or Code):
                var av = (actual as PrimitiveType)?.ToString();
                var ev = (expected as PrimitiveType)?.ToString();
                return av is null || ev is null ? null : Math.Sign(string.CompareOrdinal(av, ev));
            case (ResourceReference a, ResourceReference e):
                return a.Reference == e.Reference ? 0 : 1;
            default:
                return null;
        }
    }

    private static decimal? Number(DataType value) => value switch
    {
        Integer i => i.Value,
        FhirDecimal d => d.Value,
        _ => null,
    };
}
