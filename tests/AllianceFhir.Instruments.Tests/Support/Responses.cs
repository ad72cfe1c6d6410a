using AllianceFhir.Instruments.Catalog;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Support;

/// <summary>Builders for catalog Questionnaires and the responses that answer them.</summary>
public static class Responses
{
    public static readonly InstrumentCatalog Catalog = new(new InstrumentOptions { Demo = true });

    public static Questionnaire Instrument(string id) =>
        Catalog.Find($"http://alliancefhir.org/fhir/Questionnaire/{id}", "1.0.0") ?? throw new InvalidOperationException(id);

    /// <summary>A completed response choosing, for each numbered choice item, the option at the given 0-based position.</summary>
    public static QuestionnaireResponse Choices(Questionnaire questionnaire, params int[] positions)
    {
        var response = New(questionnaire);
        var items = questionnaire.Item.Where(i => i.Type == Questionnaire.QuestionnaireItemType.Choice).ToList();
        Assert.Equal(items.Count, positions.Length);
        for (var i = 0; i < items.Count; i++)
        {
            response.Item.Add(Answer(items[i].LinkId!, (Coding)items[i].AnswerOption[positions[i]].Value.DeepCopy()));
        }

        return response;
    }

    /// <summary>A completed response giving each numbered decimal item the given value.</summary>
    public static QuestionnaireResponse Decimals(Questionnaire questionnaire, params decimal[] values)
    {
        var response = New(questionnaire);
        for (var i = 0; i < values.Length; i++)
        {
            response.Item.Add(Answer((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), new FhirDecimal(values[i])));
        }

        return response;
    }

    public static QuestionnaireResponse New(Questionnaire questionnaire) => new()
    {
        Id = "qr1",
        Questionnaire = $"{questionnaire.Url}|{questionnaire.Version}",
        Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
        Subject = new ResourceReference("Patient/p1"),
        Encounter = new ResourceReference("Encounter/e1"),
        Author = new ResourceReference("Practitioner/pr1"),
        Authored = "2026-11-20T10:00:00Z",
    };

    public static QuestionnaireResponse.ItemComponent Answer(string linkId, params DataType[] values)
    {
        var item = new QuestionnaireResponse.ItemComponent { LinkId = linkId };
        foreach (var value in values)
        {
            item.Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = value });
        }

        return item;
    }

    public static DataType? AnswerOf(QuestionnaireResponse response, string linkId) =>
        response.Item.FirstOrDefault(i => i.LinkId == linkId)?.Answer.FirstOrDefault()?.Value;
}
