using AllianceFhir.Instruments.Extraction;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Scoring;

public class SrsOrsScoringTests
{
    private static readonly ScoringEngine Engine = new();

    [Theory]
    [InlineData("srs", new[] { 0.0, 0.0, 0.0, 0.0 }, "0.0")]
    [InlineData("srs", new[] { 10.0, 10.0, 10.0, 10.0 }, "40.0")]
    [InlineData("srs", new[] { 9.9, 8.0, 7.5, 9.6 }, "35.0")]
    [InlineData("ors", new[] { 2.3, 4.1, 6.0, 3.7 }, "16.1")]
    [InlineData("ors", new[] { 10.0, 10.0, 10.0, 10.0 }, "40.0")]
    public void Total_is_the_exact_decimal_sum(string instrument, double[] marks, string expected)
    {
        var total = Score(instrument, marks);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), total.Value);
    }

    [Theory]
    [InlineData(new[] { 9.0, 9.0, 9.0, 8.9 }, "35.9", "L")]
    [InlineData(new[] { 9.0, 9.0, 9.0, 9.0 }, "36.0", "N")]
    [InlineData(new[] { 0.0, 0.0, 0.0, 0.0 }, "0.0", "L")]
    [InlineData(new[] { 10.0, 10.0, 10.0, 10.0 }, "40.0", "N")]
    public void Srs_cut_off_is_below_36(double[] marks, string total, string interpretation)
    {
        var observation = ExtractTotal("srs", marks);
        var quantity = (Quantity)observation.Value!;
        Assert.Equal(decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture), quantity.Value);
        Assert.Equal("{score}", quantity.Code);
        Assert.Equal("http://unitsofmeasure.org", quantity.System);
        var band = observation.Interpretation.Single();
        Assert.Equal(interpretation, band.Coding.Single().Code);
        Assert.Equal("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", band.Coding.Single().System);
        if (interpretation == "L")
        {
            Assert.Equal("possible alliance concern", band.Text);
        }
    }

    [Theory]
    [InlineData(new[] { 6.0, 6.0, 6.0, 6.9 }, "L")]
    [InlineData(new[] { 6.0, 6.0, 6.0, 7.0 }, "N")]
    public void Ors_clinical_cut_off_is_below_25(double[] marks, string interpretation)
    {
        var observation = ExtractTotal("ors", marks);
        Assert.Equal(interpretation, observation.Interpretation.Single().Coding.Single().Code);
        Assert.Contains(observation.Code!.Coding, c => c.System == "http://snomed.info/sct" && c.Code == "716613004");
    }

    [Fact]
    public void Srs_total_carries_no_snomed_code_because_it_could_not_be_confirmed()
    {
        var observation = ExtractTotal("srs", [9.0, 9.0, 9.0, 9.0]);
        Assert.Equal("srs-total", observation.Code!.Coding.Single().Code);
    }

    private static FhirDecimal Score(string instrument, double[] marks)
    {
        var questionnaire = Responses.Instrument(instrument);
        var response = Responses.Decimals(questionnaire, marks.Select(m => (decimal)m).ToArray());
        Engine.Score(questionnaire, response);
        return (FhirDecimal)Responses.AnswerOf(response, "total")!;
    }

    private static Observation ExtractTotal(string instrument, double[] marks)
    {
        var questionnaire = Responses.Instrument(instrument);
        var response = Responses.Decimals(questionnaire, marks.Select(m => (decimal)m).ToArray());
        Engine.Score(questionnaire, response);
        return ObservationExtractor.Extract(questionnaire, response, "QuestionnaireResponse/qr1").Single(o => o.Code!.Coding[0].Code!.EndsWith("-total", StringComparison.Ordinal));
    }
}
