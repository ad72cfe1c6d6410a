using AllianceFhir.Testing;
using AllianceFhir.Instruments.Validation;
using Hl7.Fhir.Model;
using Xunit.Abstractions;

namespace AllianceFhir.Instruments.Tests.Conformance;

/// <summary>
/// The official R4 example responses against the example Questionnaire with the same id. Only gcs is consistent;
/// the others have defects in the published examples themselves, which the validator must find (and only those).
/// </summary>
public class R4ExamplesTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("gcs", "")]

    // 'f' is not the option 'F' (codes are case-sensitive); the response spells 'vitaminKDose1/2', the form 'vitaminiKDose1/2'.
    [InlineData("bb", "sex,vitaminKDose1,vitaminKDose2")]

    // The response nests '1.1' under group '1' although the form has no such child, and answers boolean items with strings.
    [InlineData("f201", "1.1,3.1,3.2")]

    // The form enables group 1.1.1 on v2-0136#Y, while the response answers 1.1 with cancer.questionnaire.org#1.
    [InlineData("3141", "1.1.1")]
    public void Example_response_validates_except_for_the_examples_own_defects(string id, string expectedLinkIds)
    {
        var folder = ConformanceData.Require("r4-examples");

        var questionnaire = SdcScoringTests.Read<Questionnaire>(Path.Combine(folder, "questionnaire", $"Questionnaire-{id}.json"));
        var response = SdcScoringTests.Read<QuestionnaireResponse>(Path.Combine(folder, "questionnaireresponse", $"QuestionnaireResponse-{id}.json"));

        var issues = QuestionnaireResponseValidator.Validate(questionnaire, response).Issue;

        foreach (var issue in issues)
        {
            output.WriteLine($"{issue.Severity} {string.Join(",", issue.Expression)}: {issue.Diagnostics}");
        }

        var expected = expectedLinkIds.Split(',', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, issues.Count);
        Assert.All(expected, linkId => Assert.Contains(issues, i => i.Diagnostics!.Contains($"'{linkId}'", StringComparison.Ordinal)));
    }
}
