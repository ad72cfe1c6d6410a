using AllianceFhir.Instruments.Catalog;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Validation;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.Questionnaire;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace AllianceFhir.Instruments.Tests.Validation;

public class QuestionnaireDefinitionValidatorTests
{
    private readonly QuestionnaireDefinitionValidator _validator = new(new ScoringEngine());

    [Fact]
    public void Every_catalog_instrument_is_a_valid_definition()
    {
        foreach (var questionnaire in new InstrumentCatalog(new InstrumentOptions { Demo = true }).GetQuestionnaires())
        {
            Assert.Empty(_validator.Validate(questionnaire).Issue);
        }
    }

    [Fact]
    public void Duplicate_link_ids_are_rejected()
    {
        var issue = Assert.Single(_validator.Validate(Form(Item("a"), Item("a"))).Issue);
        Assert.Contains("que-2", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Enable_when_on_an_inner_or_missing_question_is_rejected()
    {
        var outer = new ItemComponent { LinkId = "g", Type = ItemType.Group, Item = [Item("inner")] };
        outer.EnableWhen.Add(new EnableWhenComponent { Question = "inner", Operator = QuestionnaireItemOperator.Exists, Answer = new FhirBoolean(true) });
        var dangling = Item("d");
        dangling.EnableWhen.Add(new EnableWhenComponent { Question = "nowhere", Operator = QuestionnaireItemOperator.Exists, Answer = new FhirBoolean(true) });

        var issues = _validator.Validate(Form(outer, dangling)).Issue;

        Assert.Equal(2, issues.Count);
        Assert.Equal(["Questionnaire.item[0].enableWhen[0]"], issues[0].Expression);
        Assert.Contains("'nowhere'", issues[1].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_conditions_need_an_enable_behavior()
    {
        var item = Item("c");
        item.EnableWhen.Add(new EnableWhenComponent { Question = "a", Operator = QuestionnaireItemOperator.Exists, Answer = new FhirBoolean(true) });
        item.EnableWhen.Add(new EnableWhenComponent { Question = "b", Operator = QuestionnaireItemOperator.Exists, Answer = new FhirBoolean(true) });

        Assert.Contains("que-12", Assert.Single(_validator.Validate(Form(Item("a"), Item("b"), item)).Issue).Diagnostics, StringComparison.Ordinal);
        item.EnableBehavior = EnableWhenBehavior.Any;
        Assert.Empty(_validator.Validate(Form(Item("a"), Item("b"), item)).Issue);
    }

    [Fact]
    public void Calculated_expression_that_does_not_compile_is_rejected()
    {
        var score = new ItemComponent { LinkId = "s", Type = ItemType.Integer, ReadOnly = true };
        score.Extension.Add(new Extension(ExtensionUrls.CalculatedExpression, new Hl7.Fhir.Model.Expression { Language = "text/fhirpath", Expression_ = "%resource.item.where(" }));

        var issue = Assert.Single(_validator.Validate(Form(score)).Issue);

        Assert.Equal(OperationOutcome.IssueType.Invalid, issue.Code);
        Assert.Equal(["Questionnaire.item[0]"], issue.Expression);
    }

    [Fact]
    public void Band_with_min_not_below_max_is_rejected()
    {
        var score = new ItemComponent { LinkId = "s", Type = ItemType.Decimal, ReadOnly = true };
        var band = new Extension { Url = ExtensionUrls.ScoreInterpretation };
        band.AddExtension("min", new FhirDecimal(40));
        band.AddExtension("maxExclusive", new FhirDecimal(36));
        band.AddExtension("interpretation", new Coding(ExtensionUrls.InterpretationSystem, "L"));
        score.Extension.Add(band);

        Assert.Single(_validator.Validate(Form(score)).Issue);
    }

    [Theory]
    [InlineData("a", null)] // years: accepted
    [InlineData("mo", "not a Range in years")] // months would be compared with an age in years
    public void Band_age_must_be_a_range_in_years(string unit, string? problem)
    {
        var score = new ItemComponent { LinkId = "s", Type = ItemType.Decimal, ReadOnly = true };
        var band = new Extension { Url = ExtensionUrls.ScoreInterpretation };
        band.AddExtension("maxExclusive", new FhirDecimal(28));
        band.AddExtension("interpretation", new Coding(ExtensionUrls.InterpretationSystem, "L"));
        band.AddExtension("age", new Hl7.Fhir.Model.Range
        {
            Low = new Quantity { Value = 13, System = ExtensionUrls.Ucum, Code = unit },
            High = new Quantity { Value = 17, System = ExtensionUrls.Ucum, Code = unit },
        });
        score.Extension.Add(band);

        var issues = _validator.Validate(Form(score)).Issue;

        if (problem is null)
        {
            Assert.Empty(issues);
        }
        else
        {
            Assert.Contains(problem, Assert.Single(issues).Diagnostics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Empty_group_and_display_with_children_break_que_1()
    {
        var group = new ItemComponent { LinkId = "g", Type = ItemType.Group };
        var display = new ItemComponent { LinkId = "d", Type = ItemType.Display, Item = [Item("x")] };

        Assert.Equal(2, _validator.Validate(Form(group, display)).Issue.Count(i => i.Diagnostics!.Contains("que-1", StringComparison.Ordinal)));
    }

    private static ItemComponent Item(string linkId) => new() { LinkId = linkId, Type = ItemType.String };

    private static Questionnaire Form(params ItemComponent[] items) => new() { Status = PublicationStatus.Active, Item = [.. items] };
}
