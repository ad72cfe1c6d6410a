using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Scoring;

public class Trc5ScoringTests
{
    private static readonly ScoringEngine Engine = new();
    private readonly Questionnaire _trc = Responses.Instrument("trc-5");

    [Theory]
    [InlineData(new[] { 0, 0, 0, 0, 0 }, 0)]
    [InlineData(new[] { 4, 4, 4, 4, 4 }, 20)]
    [InlineData(new[] { 0, 1, 2, 3, 4 }, 10)]
    [InlineData(new[] { 3, 3, 1, 4, 0 }, 11)]
    public void Total_is_the_sum_of_0_to_4_ratings(int[] positions, int expected)
    {
        var response = Responses.Choices(_trc, positions);
        Engine.Score(_trc, response);
        Assert.Equal(expected, ((Integer)Responses.AnswerOf(response, "total")!).Value);
    }

    [Fact]
    public void Is_marked_experimental_and_not_validated()
    {
        Assert.True(_trc.Experimental);
        Assert.Contains("not validated", _trc.Title, StringComparison.OrdinalIgnoreCase);
    }
}
