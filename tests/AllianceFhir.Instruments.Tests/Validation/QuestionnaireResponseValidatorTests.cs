using AllianceFhir.Instruments.Tests.Support;
using AllianceFhir.Instruments.Validation;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.Questionnaire;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;
using Status = Hl7.Fhir.Model.QuestionnaireResponse.QuestionnaireResponseStatus;

namespace AllianceFhir.Instruments.Tests.Validation;

public class QuestionnaireResponseValidatorTests
{
    private readonly Questionnaire _wai = Responses.Instrument("wai-sr");
    private readonly Questionnaire _srs = Responses.Instrument("srs");

    [Fact]
    public void Complete_catalog_responses_are_valid()
    {
        Assert.Empty(QuestionnaireResponseValidator.Validate(_wai, Responses.Choices(_wai, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1)).Issue);
        Assert.Empty(QuestionnaireResponseValidator.Validate(_srs, Responses.Decimals(_srs, 0m, 10m, 5.5m, 7.2m)).Issue);
    }

    [Fact]
    public void Missing_required_answer_is_an_error_naming_the_item()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item.RemoveAt(4);

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(_wai, response).Issue);

        Assert.Equal(OperationOutcome.IssueType.Required, issue.Code);
        Assert.Contains("'5'", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void In_progress_response_may_leave_required_items_out_but_not_break_types()
    {
        var response = Responses.New(_wai);
        response.Status = Status.InProgress;
        response.Item.Add(Responses.Answer("1", (Coding)_wai.Item[0].AnswerOption[2].Value.DeepCopy()));
        Assert.Empty(QuestionnaireResponseValidator.Validate(_wai, response).Issue);

        response.Item.Add(Responses.Answer("2", new FhirString("often")));
        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(_wai, response).Issue);
        Assert.Equal(["QuestionnaireResponse.item[1].answer[0]"], issue.Expression);
    }

    [Fact]
    public void Out_of_range_decimal_is_an_error_at_the_answer()
    {
        var response = Responses.Decimals(_srs, 0m, 10.5m, 5m, 5m);

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(_srs, response).Issue);

        Assert.Equal(["QuestionnaireResponse.item[1].answer[0]"], issue.Expression);
        Assert.Contains("maximum", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Contains("'2'", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_decimal_places_is_an_error()
    {
        var response = Responses.Decimals(_srs, 0m, 5.25m, 5m, 5m);
        Assert.Contains("decimal places", Assert.Single(QuestionnaireResponseValidator.Validate(_srs, response).Issue).Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_answer_type_is_an_error()
    {
        var response = Responses.Decimals(_srs, 1m, 2m, 3m, 4m);
        response.Item[2].Answer[0].Value = new Integer(3);

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(_srs, response).Issue);

        Assert.Equal(OperationOutcome.IssueType.Value, issue.Code);
        Assert.Equal(["QuestionnaireResponse.item[2].answer[0]"], issue.Expression);
    }

    [Fact]
    public void Code_outside_the_answer_options_is_an_error()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item[3].Answer[0].Value = new Coding("http://alliancefhir.org/fhir/CodeSystem/alliance-answer", "never");

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(_wai, response).Issue);

        Assert.Equal(OperationOutcome.IssueType.CodeInvalid, issue.Code);
        Assert.Equal(["QuestionnaireResponse.item[3].answer[0]"], issue.Expression);
    }

    [Fact]
    public void Option_codes_match_on_system_as_well_as_code()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item[0].Answer[0].Value = new Coding("http://example.org/other", "seldom");
        Assert.Single(QuestionnaireResponseValidator.Validate(_wai, response).Issue);
    }

    [Fact]
    public void Unknown_link_id_is_an_error()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item.Add(Responses.Answer("13", new Integer(1)));

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(_wai, response).Issue);

        Assert.Equal(OperationOutcome.IssueType.NotFound, issue.Code);
        Assert.Equal(["QuestionnaireResponse.item[12]"], issue.Expression);
        Assert.Contains("'13'", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Second_answer_to_a_non_repeating_item_is_an_error()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item[0].Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = (Coding)_wai.Item[0].AnswerOption[1].Value.DeepCopy() });

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(_wai, response).Issue);

        Assert.Equal(["QuestionnaireResponse.item[0].answer[1]"], issue.Expression);
    }

    [Fact]
    public void Same_question_twice_at_one_level_breaks_qrs_2()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item.Add(Responses.Answer("1", (Coding)_wai.Item[0].AnswerOption[1].Value.DeepCopy()));

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(_wai, response).Issue);

        Assert.Contains("qrs-2", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Equal(["QuestionnaireResponse.item[12]"], issue.Expression);
    }

    [Fact]
    public void Answer_and_nested_item_on_one_item_breaks_qrs_1()
    {
        var questionnaire = Form(Question("q", ItemType.String), Question("r", ItemType.String));
        questionnaire.Item[0].Item.Add(Question("q.1", ItemType.String));
        var response = Response(Responses.Answer("q", new FhirString("a")));
        response.Item[0].Item.Add(Responses.Answer("q.1", new FhirString("b")));

        Assert.Contains(QuestionnaireResponseValidator.Validate(questionnaire, response).Issue, i => i.Diagnostics!.Contains("qrs-1", StringComparison.Ordinal));
    }

    [Fact]
    public void String_longer_than_max_length_is_an_error()
    {
        var questionnaire = Form(Question("s", ItemType.String));
        questionnaire.Item[0].MaxLength = 3;

        var issues = QuestionnaireResponseValidator.Validate(questionnaire, Response(Responses.Answer("s", new FhirString("abcd")))).Issue;

        Assert.Contains("maximum length", Assert.Single(issues).Diagnostics, StringComparison.Ordinal);
        Assert.Empty(QuestionnaireResponseValidator.Validate(questionnaire, Response(Responses.Answer("s", new FhirString("abc")))).Issue);
    }

    [Theory]
    [InlineData(ItemType.Boolean, "bool")]
    [InlineData(ItemType.Integer, "int")]
    [InlineData(ItemType.Date, "date")]
    [InlineData(ItemType.DateTime, "dateTime")]
    [InlineData(ItemType.Time, "time")]
    [InlineData(ItemType.Url, "uri")]
    [InlineData(ItemType.Decimal, "decimal")]
    [InlineData(ItemType.String, "string")]
    public void Each_item_type_accepts_its_own_answer_type_only(ItemType type, string accepted)
    {
        var values = new Dictionary<string, DataType>
        {
            ["bool"] = new FhirBoolean(true),
            ["int"] = new Integer(1),
            ["date"] = new Date("2026-01-02"),
            ["dateTime"] = new FhirDateTime("2026-01-02T03:04:05Z"),
            ["time"] = new Time("10:00:00"),
            ["uri"] = new FhirUri("http://example.org"),
            ["decimal"] = new FhirDecimal(1.5m),
            ["string"] = new FhirString("x"),
        };
        var questionnaire = Form(Question("a", type));
        foreach (var (name, value) in values)
        {
            var issues = QuestionnaireResponseValidator.Validate(questionnaire, Response(Responses.Answer("a", value))).Issue;

            // A dateTime item also takes a plain date (a dateTime of day precision).
            var fits = name == accepted || (type == ItemType.DateTime && name == "date");
            Assert.True(fits == (issues.Count == 0), $"{type} with {name}: {string.Join("; ", issues.Select(i => i.Diagnostics))}");
        }
    }

    [Fact]
    public void Answer_to_a_disabled_item_is_an_error_and_a_disabled_required_item_may_be_empty()
    {
        var questionnaire = Form(Question("gate", ItemType.Boolean), Question("detail", ItemType.String));
        questionnaire.Item[1].Required = true;
        questionnaire.Item[1].EnableWhen.Add(new EnableWhenComponent { Question = "gate", Operator = QuestionnaireItemOperator.Equal, Answer = new FhirBoolean(true) });

        Assert.Empty(QuestionnaireResponseValidator.Validate(questionnaire, Response(Responses.Answer("gate", new FhirBoolean(false)))).Issue);

        var answered = Response(Responses.Answer("gate", new FhirBoolean(false)), Responses.Answer("detail", new FhirString("x")));
        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(questionnaire, answered).Issue);
        Assert.Equal(OperationOutcome.IssueType.BusinessRule, issue.Code);
        Assert.Equal(["QuestionnaireResponse.item[1]"], issue.Expression);

        var enabledButEmpty = Response(Responses.Answer("gate", new FhirBoolean(true)));
        Assert.Equal(OperationOutcome.IssueType.Required, Assert.Single(QuestionnaireResponseValidator.Validate(questionnaire, enabledButEmpty).Issue).Code);
    }

    [Theory]
    [InlineData(QuestionnaireItemOperator.Equal, 5, 5, true)]
    [InlineData(QuestionnaireItemOperator.Equal, 5, 6, false)]
    [InlineData(QuestionnaireItemOperator.NotEqual, 5, 6, true)]
    [InlineData(QuestionnaireItemOperator.NotEqual, 5, 5, false)]
    [InlineData(QuestionnaireItemOperator.GreaterThan, 6, 5, true)]
    [InlineData(QuestionnaireItemOperator.GreaterThan, 5, 5, false)]
    [InlineData(QuestionnaireItemOperator.LessThan, 4, 5, true)]
    [InlineData(QuestionnaireItemOperator.LessThan, 5, 5, false)]
    [InlineData(QuestionnaireItemOperator.GreaterOrEqual, 5, 5, true)]
    [InlineData(QuestionnaireItemOperator.GreaterOrEqual, 4, 5, false)]
    [InlineData(QuestionnaireItemOperator.LessOrEqual, 5, 5, true)]
    [InlineData(QuestionnaireItemOperator.LessOrEqual, 6, 5, false)]
    public void Enable_when_operators_compare_the_answer_with_the_condition(QuestionnaireItemOperator op, int answer, int condition, bool enabled)
    {
        var questionnaire = Form(Question("n", ItemType.Integer), Question("follow", ItemType.String));
        questionnaire.Item[1].EnableWhen.Add(new EnableWhenComponent { Question = "n", Operator = op, Answer = new Integer(condition) });
        var response = Response(Responses.Answer("n", new Integer(answer)), Responses.Answer("follow", new FhirString("x")));

        Assert.Equal(enabled, QuestionnaireResponseValidator.Validate(questionnaire, response).Issue.Count == 0);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, false, true)]
    [InlineData(false, true, false)]
    public void Enable_when_exists_checks_for_any_answer(bool conditionExists, bool answered, bool enabled)
    {
        var questionnaire = Form(Question("src", ItemType.String), Question("follow", ItemType.String));
        questionnaire.Item[1].EnableWhen.Add(new EnableWhenComponent { Question = "src", Operator = QuestionnaireItemOperator.Exists, Answer = new FhirBoolean(conditionExists) });
        var items = new List<QuestionnaireResponse.ItemComponent>();
        if (answered)
        {
            items.Add(Responses.Answer("src", new FhirString("s")));
        }

        items.Add(Responses.Answer("follow", new FhirString("x")));

        Assert.Equal(enabled, QuestionnaireResponseValidator.Validate(questionnaire, Response([.. items])).Issue.Count == 0);
    }

    [Theory]
    [InlineData(EnableWhenBehavior.All, true, false, false)]
    [InlineData(EnableWhenBehavior.All, true, true, true)]
    [InlineData(EnableWhenBehavior.Any, true, false, true)]
    [InlineData(EnableWhenBehavior.Any, false, false, false)]
    public void Enable_behavior_combines_conditions(EnableWhenBehavior behavior, bool a, bool b, bool enabled)
    {
        var questionnaire = Form(Question("a", ItemType.Boolean), Question("b", ItemType.Boolean), Question("follow", ItemType.String));
        questionnaire.Item[2].EnableBehavior = behavior;
        questionnaire.Item[2].EnableWhen.Add(new EnableWhenComponent { Question = "a", Operator = QuestionnaireItemOperator.Equal, Answer = new FhirBoolean(true) });
        questionnaire.Item[2].EnableWhen.Add(new EnableWhenComponent { Question = "b", Operator = QuestionnaireItemOperator.Equal, Answer = new FhirBoolean(true) });
        var response = Response(Responses.Answer("a", new FhirBoolean(a)), Responses.Answer("b", new FhirBoolean(b)), Responses.Answer("follow", new FhirString("x")));

        Assert.Equal(enabled, QuestionnaireResponseValidator.Validate(questionnaire, response).Issue.Count == 0);
    }

    [Theory]
    [InlineData(false, false, 0)]
    [InlineData(true, false, 1)]
    [InlineData(false, true, 1)]
    [InlineData(true, true, 0)]
    public void Sdc_enable_when_expression_decides_enablement(bool gate, bool answered, int errors)
    {
        var questionnaire = Form(Question("gate", ItemType.Boolean), Question("detail", ItemType.String));
        questionnaire.Item[1].Required = true;
        questionnaire.Item[1].Extension.Add(new Extension(
            "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression",
            new Hl7.Fhir.Model.Expression { Language = "text/fhirpath", Expression_ = "%resource.item.where(linkId = 'gate').answer.value = true" }));
        var items = new List<QuestionnaireResponse.ItemComponent> { Responses.Answer("gate", new FhirBoolean(gate)) };
        if (answered)
        {
            items.Add(Responses.Answer("detail", new FhirString("x")));
        }

        var issues = QuestionnaireResponseValidator.Validate(questionnaire, Response([.. items]), new Instruments.Scoring.ScoringEngine()).Issue;

        Assert.Equal(errors, issues.Count);
    }

    [Fact]
    public void Enable_when_expression_without_an_engine_is_a_warning_not_a_guess()
    {
        var questionnaire = Form(Question("gate", ItemType.Boolean), Question("detail", ItemType.String));
        questionnaire.Item[1].Extension.Add(new Extension(
            "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression",
            new Hl7.Fhir.Model.Expression { Language = "text/fhirpath", Expression_ = "false" }));

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(questionnaire, Response(Responses.Answer("detail", new FhirString("x")))).Issue);

        Assert.Equal(OperationOutcome.IssueSeverity.Warning, issue.Severity);
    }

    [Fact]
    public void Enable_when_inside_a_repeating_group_looks_at_its_own_instance()
    {
        var group = new ItemComponent { LinkId = "g", Type = ItemType.Group, Repeats = true };
        group.Item.Add(Question("smoker", ItemType.Boolean));
        group.Item.Add(Question("packs", ItemType.Integer));
        group.Item[1].EnableWhen.Add(new EnableWhenComponent { Question = "smoker", Operator = QuestionnaireItemOperator.Equal, Answer = new FhirBoolean(true) });
        var questionnaire = Form(group);

        var yes = new QuestionnaireResponse.ItemComponent { LinkId = "g", Item = [Responses.Answer("smoker", new FhirBoolean(true)), Responses.Answer("packs", new Integer(2))] };
        var no = new QuestionnaireResponse.ItemComponent { LinkId = "g", Item = [Responses.Answer("smoker", new FhirBoolean(false)), Responses.Answer("packs", new Integer(1))] };

        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(questionnaire, Response(yes, no)).Issue);
        Assert.Equal(["QuestionnaireResponse.item[1].item[1]"], issue.Expression);
    }

    [Fact]
    public void Nested_group_items_are_checked_at_their_place()
    {
        var group = new ItemComponent { LinkId = "g", Type = ItemType.Group, Required = true };
        group.Item.Add(Question("inner", ItemType.String));
        var questionnaire = Form(group, Question("outer", ItemType.String));

        var misplaced = Response(new QuestionnaireResponse.ItemComponent { LinkId = "g", Item = [Responses.Answer("outer", new FhirString("x"))] });
        var issues = QuestionnaireResponseValidator.Validate(questionnaire, misplaced).Issue;

        Assert.Contains(issues, i => i.Expression.SequenceEqual(["QuestionnaireResponse.item[0].item[0]"]) && i.Diagnostics!.Contains("not allowed at this place", StringComparison.Ordinal));
        Assert.Single(issues);

        var emptyGroup = Response(new QuestionnaireResponse.ItemComponent { LinkId = "g" }, Responses.Answer("outer", new FhirString("x")));
        var required = Assert.Single(QuestionnaireResponseValidator.Validate(questionnaire, emptyGroup).Issue);
        Assert.Equal(OperationOutcome.IssueType.Required, required.Code);
        Assert.Contains("'g'", required.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Contained_answer_value_set_limits_the_codes()
    {
        var valueSet = new ValueSet { Id = "colours", Status = PublicationStatus.Active };
        valueSet.Compose = new ValueSet.ComposeComponent();
        valueSet.Compose.Include.Add(new ValueSet.ConceptSetComponent { System = "http://example.org/colour", Concept = [new() { Code = "red" }, new() { Code = "blue" }] });
        var questionnaire = Form(Question("c", ItemType.Choice));
        questionnaire.Contained.Add(valueSet);
        questionnaire.Item[0].AnswerValueSet = "#colours";

        Assert.Empty(QuestionnaireResponseValidator.Validate(questionnaire, Response(Responses.Answer("c", new Coding("http://example.org/colour", "red")))).Issue);
        var issue = Assert.Single(QuestionnaireResponseValidator.Validate(questionnaire, Response(Responses.Answer("c", new Coding("http://example.org/colour", "green")))).Issue);
        Assert.Equal(OperationOutcome.IssueType.CodeInvalid, issue.Code);
    }

    [Fact]
    public void Answers_to_a_display_item_or_a_group_are_errors()
    {
        var questionnaire = Form(new ItemComponent { LinkId = "d", Type = ItemType.Display, Text = "Read me" }, new ItemComponent { LinkId = "g", Type = ItemType.Group });
        var response = Response(Responses.Answer("d", new FhirString("x")), Responses.Answer("g", new FhirString("y")));

        Assert.Equal(2, QuestionnaireResponseValidator.Validate(questionnaire, response).Issue.Count);
    }

    private static ItemComponent Question(string linkId, ItemType type) => new() { LinkId = linkId, Type = type, Text = linkId };

    private static Questionnaire Form(params ItemComponent[] items) => new()
    {
        Url = "http://example.org/Questionnaire/test",
        Status = PublicationStatus.Active,
        Item = [.. items],
    };

    private static QuestionnaireResponse Response(params QuestionnaireResponse.ItemComponent[] items) => new()
    {
        Questionnaire = "http://example.org/Questionnaire/test",
        Status = Status.Completed,
        Item = [.. items],
    };
}
