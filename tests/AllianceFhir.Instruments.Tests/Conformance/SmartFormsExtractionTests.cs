using AllianceFhir.Instruments.Extraction;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Instruments.Tests.Conformance;

/// <summary>
/// Observation extraction against the smart-forms renderer's cases (sdc/extract/smart-forms-observation-extract):
/// the nearest observationExtract flag wins — item, then ancestor item, then Questionnaire.
/// </summary>
public class SmartFormsExtractionTests
{
    [SkippableTheory]
    [InlineData("qObservationSampleWithExtractExtension.json", null, 4)]
    [InlineData("qObservationSampleWithExtractExtension.json", "item0-false", 2)]
    [InlineData("qObservationSampleWithExtractExtension.json", "root-true", 6)]
    [InlineData("qObservationSample.json", null, 0)]
    public void Extract_count_follows_flag_inheritance(string questionnaireFile, string? mutation, int expected)
    {
        var folder = ConformanceData.Require("sdc/extract/smart-forms-observation-extract");

        var questionnaire = SdcScoringTests.Read<Questionnaire>(Path.Combine(folder, questionnaireFile));
        var response = SdcScoringTests.Read<QuestionnaireResponse>(Path.Combine(folder, "qrObservationSample.json"));
        switch (mutation)
        {
            case "item0-false":
                ((FhirBoolean)questionnaire.Item[0].GetExtension(ExtensionUrls.ObservationExtract)!.Value!).Value = false;
                break;
            case "root-true":
                ((FhirBoolean)questionnaire.GetExtension(ExtensionUrls.ObservationExtract)!.Value!).Value = true;
                break;
        }

        var observations = ObservationExtractor.Extract(questionnaire, response, "QuestionnaireResponse/phq2-response");

        Assert.Equal(expected, observations.Count);
        if (mutation == "item0-false")
        {
            Assert.Equal(questionnaire.Item[1].Item[0].Code[0].Code, observations[0].Code!.Coding[0].Code);
        }
    }

    [SkippableFact]
    public void First_observation_matches_the_smart_forms_result()
    {
        var folder = ConformanceData.Require("sdc/extract/smart-forms-observation-extract");

        var questionnaire = SdcScoringTests.Read<Questionnaire>(Path.Combine(folder, "qObservationSampleWithExtractExtension.json"));
        var response = SdcScoringTests.Read<QuestionnaireResponse>(Path.Combine(folder, "qrObservationSample.json"));
        // The file is a plain JSON array of Observations (the renderer's return value), not a Bundle.
        using var results = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "observationResults.json")));
        var first = (Observation)FhirJsonDeserializer.DEFAULT.DeserializeResource(results.RootElement[0].GetRawText());

        var actual = ObservationExtractor.Extract(questionnaire, response, "QuestionnaireResponse/phq2-response")[0];

        Assert.Equal(first.Status, actual.Status);
        Assert.True(first.Code!.Coding[0].IsExactly(actual.Code!.Coding[0]));
        Assert.True(first.Value!.IsExactly(actual.Value!));
        Assert.Equal(first.Subject!.Reference, actual.Subject!.Reference);
        Assert.Equal(first.DerivedFrom.Single().Reference, actual.DerivedFrom.Single().Reference);
        Assert.Equal(((FhirDateTime)first.Effective!).Value, ((FhirDateTime)actual.Effective!).Value);
    }
}
