using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Scoring;

public class HaqIiScoringTests
{
    private static readonly ScoringEngine Engine = new();
    private static readonly int[] Reversed = [4, 8, 11, 16, 19];
    private readonly Questionnaire _haq = Responses.Instrument("haq-ii");

    [Fact]
    public void Reverse_scored_items_carry_reversed_weights()
    {
        foreach (var item in _haq.Item.Where(i => i.Type == Questionnaire.QuestionnaireItemType.Choice))
        {
            var weights = item.AnswerOption.Select(o => ((FhirDecimal)o.Extension.Single().Value!).Value!.Value).ToArray();
            var reversed = Reversed.Contains(int.Parse(item.LinkId!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(reversed ? [6m, 5m, 4m, 3m, 2m, 1m] : [1m, 2m, 3m, 4m, 5m, 6m], weights);
            Assert.Equal("strongly-disagree", ((Coding)item.AnswerOption[0].Value).Code);
        }
    }

    [Fact]
    public void Strongest_alliance_scores_114()
    {
        // "Strongly agree" on normal items, "strongly disagree" on the five reversed items.
        var positions = Enumerable.Range(1, 19).Select(n => Reversed.Contains(n) ? 0 : 5).ToArray();
        Assert.Equal(114, Total(positions));
    }

    [Fact]
    public void Weakest_alliance_scores_19()
    {
        var positions = Enumerable.Range(1, 19).Select(n => Reversed.Contains(n) ? 5 : 0).ToArray();
        Assert.Equal(19, Total(positions));
    }

    [Fact]
    public void Same_anchor_everywhere_mixes_normal_and_reversed_weights()
    {
        // "Strongly agree" (position 5) on all 19 items: 14 normal items × 6 + 5 reversed items × 1 = 89.
        Assert.Equal(89, Total(Enumerable.Repeat(5, 19).ToArray()));

        // "Slightly disagree" (position 2): 14 × 3 + 5 × 4 = 62.
        Assert.Equal(62, Total(Enumerable.Repeat(2, 19).ToArray()));
    }

    private int Total(int[] positions)
    {
        var response = Responses.Choices(_haq, positions);
        Engine.Score(_haq, response);
        return ((Integer)Responses.AnswerOf(response, "total")!).Value!.Value;
    }
}
