using AllianceFhir.Instruments.Validation;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Support;

public static class Validation
{
    public static IReadOnlyList<string> ValidationIssues(Questionnaire questionnaire, QuestionnaireResponse response) =>
        QuestionnaireResponseValidator.Validate(questionnaire, response).Issue.Select(i => $"{i.Severity} {string.Join(",", i.Expression)}: {i.Diagnostics}").ToList();
}
