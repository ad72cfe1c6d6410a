using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Scoring;

public class ScoringFunctionsTests
{
    private static readonly ScoringEngine Engine = new();
    private readonly Questionnaire _wai = Responses.Instrument("wai-sr");

    [Fact]
    public void Weight_and_ordinal_read_the_answer_option_weight_from_the_answer_or_its_value()
    {
        var response = Responses.Choices(_wai, 4, 3, 0, 1, 2, 1, 0, 2, 4, 1, 3, 0);
        Assert.Equal(5m, Single("%resource.item[0].answer.value.weight()", response));
        Assert.Equal(5m, Single("%resource.item[0].answer.weight()", response));
        Assert.Equal(4m, Single("%resource.item[1].answer.value.ordinal()", response));
    }

    [Fact]
    public void Weight_falls_back_to_an_ordinal_value_on_the_option_coding_and_to_item_weight()
    {
        var questionnaire = (Questionnaire)_wai.DeepCopy();
        var option = questionnaire.Item[0].AnswerOption[0];
        option.Extension.Clear();
        ((Coding)option.Value!).Extension.Add(new Extension("http://hl7.org/fhir/StructureDefinition/itemWeight", new FhirDecimal(7)));
        var response = Responses.Choices(questionnaire, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        Assert.Equal(7m, ((FhirDecimal)Engine.Evaluate("%resource.item[0].answer.value.weight()", response, questionnaire).Single()).Value);
    }

    [Fact]
    public void Weight_of_a_code_without_a_weight_is_empty()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item[0].Answer[0].Value = new Coding("http://example.org", "unknown");
        Assert.Empty(Engine.Evaluate("%resource.item[0].answer.value.weight()", response, _wai));
    }

    [Fact]
    public void Sum_keeps_integers_integer_and_of_nothing_is_zero()
    {
        var response = Responses.New(_wai);
        Assert.Equal(0, ((Integer)Engine.Evaluate("%resource.item.answer.value.weight().sum()", response, _wai).Single()).Value);
        Assert.Equal(6, ((Integer)Engine.Evaluate("(1 | 2 | 3).sum()", response, _wai).Single()).Value);
        Assert.Equal(3.5m, ((FhirDecimal)Engine.Evaluate("(1 | 2.5).sum()", response, _wai).Single()).Value);
    }

    [Fact]
    public void Broken_expression_in_a_custom_questionnaire_is_a_scoring_error_naming_the_item()
    {
        var questionnaire = (Questionnaire)_wai.DeepCopy();
        var total = questionnaire.Item.Single(i => i.LinkId == "total");
        ((Hl7.Fhir.Model.Expression)total.Extension[0].Value!).Expression_ = "%resource.item.where(";

        var ex = Assert.Throws<ScoringException>(() => Engine.Score(questionnaire, Responses.Choices(questionnaire, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));

        Assert.Equal("total", ex.LinkId);
    }

    [Fact]
    public void Compiled_expression_cache_stays_bounded_whatever_clients_post()
    {
        var engine = new ScoringEngine();
        for (var i = 0; i < 5000; i++)
        {
            Assert.Null(engine.CompileProblem($"{i} + 1"));
        }

        Assert.InRange(engine.CachedExpressionCount, 1, 4096);
    }

    private decimal? Single(string expression, QuestionnaireResponse response) =>
        ((FhirDecimal)Engine.Evaluate(expression, response, _wai).Single()).Value;
}
