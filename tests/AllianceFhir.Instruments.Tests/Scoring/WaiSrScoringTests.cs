using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Scoring;

public class WaiSrScoringTests
{
    private static readonly ScoringEngine Engine = new();
    private readonly Questionnaire _wai = Responses.Instrument("wai-sr");

    [Fact]
    public void Minimum_answers_score_12_and_4_per_subscale()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Engine.Score(_wai, response);
        AssertScores(response, total: 12, task: 4, goal: 4, bond: 4);
    }

    [Fact]
    public void Maximum_answers_score_60_and_20_per_subscale()
    {
        var response = Responses.Choices(_wai, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4);
        Engine.Score(_wai, response);
        AssertScores(response, total: 60, task: 20, goal: 20, bond: 20);
    }

    [Fact]
    public void Mixed_answers_follow_the_published_subscale_key()
    {
        // Item:   1  2  3  4  5  6  7  8  9 10 11 12   (weights = position + 1)
        // Weight: 5  4  1  2  3  2  1  3  5  2  4  1
        // Task 1,2,10,12 = 5+4+2+1 = 12; Goal 4,6,8,11 = 2+2+3+4 = 11; Bond 3,5,7,9 = 1+3+1+5 = 10; total 33.
        var response = Responses.Choices(_wai, 4, 3, 0, 1, 2, 1, 0, 2, 4, 1, 3, 0);
        Engine.Score(_wai, response);
        AssertScores(response, total: 33, task: 12, goal: 11, bond: 10);
    }

    [Fact]
    public void Client_sent_scores_are_replaced()
    {
        var response = Responses.Choices(_wai, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        response.Item.Add(Responses.Answer("total", new Integer(59)));
        Engine.Score(_wai, response);
        Assert.Equal(12, ((Integer)Responses.AnswerOf(response, "total")!).Value);
        Assert.Single(response.Item, i => i.LinkId == "total");
    }

    private static void AssertScores(QuestionnaireResponse response, int total, int task, int goal, int bond)
    {
        Assert.Equal(total, ((Integer)Responses.AnswerOf(response, "total")!).Value);
        Assert.Equal(task, ((Integer)Responses.AnswerOf(response, "task")!).Value);
        Assert.Equal(goal, ((Integer)Responses.AnswerOf(response, "goal")!).Value);
        Assert.Equal(bond, ((Integer)Responses.AnswerOf(response, "bond")!).Value);
    }
}
