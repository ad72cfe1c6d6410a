using AllianceFhir.Instruments.Extraction;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Extraction;

/// <summary>The shipped ORS bands (adults 25, ages 13–17 28) as extraction chooses them; the SRS has one band for all.</summary>
public class OrsAgeBandExtractionTests
{
    private static readonly ScoringEngine Engine = new();
    private readonly Questionnaire _ors = Responses.Instrument("ors");
    private readonly Questionnaire _srs = Responses.Instrument("srs");

    [Theory]
    [InlineData(17, 17, 27.9, 28, "L", null)]
    [InlineData(17, 17, 28, 28, "N", null)]
    [InlineData(13, 13, 27, 28, "L", null)]
    [InlineData(18, 18, 24.9, 25, "L", null)]
    [InlineData(18, 18, 25, 25, "N", null)]
    [InlineData(80, 80, 26, 25, "N", null)]
    [InlineData(17, 18, 26, 25, "N", "partial")] // straddles 18: unknown, adult band with a note
    [InlineData(10, 10, 26, 25, "N", "no cut-off for age 10")] // the child version (CORS) is not shipped
    public void The_total_gets_the_band_for_the_age(int min, int max, double total, int cutOff, string code, string? note)
    {
        var observation = Total(_ors, new SubjectAge(min, max, null), (decimal)total);

        Assert.Equal(code, observation.Interpretation.Single().Coding.Single().Code);
        Assert.Equal(cutOff, observation.ReferenceRange.Single().Low!.Value);
        if (note is null)
        {
            Assert.Empty(observation.Note);
        }
        else
        {
            Assert.Contains(note, Assert.Single(observation.Note).Text!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Unknown_age_uses_the_adult_band_and_says_so()
    {
        var observation = Total(_ors, SubjectAge.NotKnown("the patient has no birthDate"), 26m);

        Assert.Equal("the cut-off for age 18 and over (25) was used",
            Assert.Single(observation.Note).Text!.Split(": ")[^1].TrimEnd('.'));
        Assert.Equal("clinical cut-off for age 18 and over: 25 and above is in the normal range", observation.ReferenceRange.Single().Text);
    }

    [Fact]
    public void A_score_without_age_bands_carries_no_age_and_no_note()
    {
        var response = Responses.Decimals(_srs, 9, 9, 9, 9);
        Engine.Score(_srs, response);

        var total = ObservationExtractor.Extract(_srs, response, "QuestionnaireResponse/qr1", age: null)
            .Single(o => o.Code.Coding.Any(c => c.Code == "srs-total"));

        Assert.Equal(36m, total.ReferenceRange.Single().Low!.Value);
        Assert.Null(total.ReferenceRange.Single().Age);
        Assert.Empty(total.Note);
    }

    private static Observation Total(Questionnaire questionnaire, SubjectAge age, decimal total)
    {
        var lines = new decimal[4];
        var left = total;
        for (var i = 0; i < 4; i++)
        {
            lines[i] = Math.Min(10m, left);
            left -= lines[i];
        }

        var response = Responses.Decimals(questionnaire, lines);
        Engine.Score(questionnaire, response);
        return ObservationExtractor.Extract(questionnaire, response, "QuestionnaireResponse/qr1", age)
            .Single(o => o.Code.Coding.Any(c => c.Code == "ors-total"));
    }
}
