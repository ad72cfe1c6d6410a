using System.Globalization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Infrastructure;

/// <summary>Builds responses the way an EHR does: from the Questionnaire the server serves.</summary>
public static class InstrumentResponses
{
    public static async Task<Questionnaire> FetchAsync(HttpClient client, string id) =>
        await (await client.GetAsync($"/fhir/Questionnaire/{id}")).ReadAsAsync<Questionnaire>();

    /// <summary>A completed response choosing, for each choice item in order, the option at the given 0-based position.</summary>
    public static QuestionnaireResponse Choices(Questionnaire questionnaire, string patient, params int[] positions)
    {
        var response = New(questionnaire, patient);
        var items = questionnaire.Item.Where(i => i.Type == Questionnaire.QuestionnaireItemType.Choice).ToList();
        for (var i = 0; i < positions.Length; i++)
        {
            response.Item.Add(Answer(items[i].LinkId!, (Coding)items[i].AnswerOption[positions[i]].Value.DeepCopy()));
        }

        return response;
    }

    /// <summary>A completed response giving the numbered decimal items (SRS, ORS) these values.</summary>
    public static QuestionnaireResponse Decimals(Questionnaire questionnaire, string patient, params decimal[] values)
    {
        var response = New(questionnaire, patient);
        for (var i = 0; i < values.Length; i++)
        {
            response.Item.Add(Answer((i + 1).ToString(CultureInfo.InvariantCulture), new FhirDecimal(values[i])));
        }

        return response;
    }

    public static QuestionnaireResponse New(Questionnaire questionnaire, string patient) => new()
    {
        Questionnaire = $"{questionnaire.Url}|{questionnaire.Version}",
        Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
        Subject = new ResourceReference($"Patient/{patient}"),
        Encounter = new ResourceReference("Encounter/session-1"),
        Author = new ResourceReference($"Patient/{patient}"),
        Authored = "2026-03-02T10:00:00Z",
    };

    public static QuestionnaireResponse.ItemComponent Answer(string linkId, DataType value) =>
        new() { LinkId = linkId, Answer = [new QuestionnaireResponse.AnswerComponent { Value = value }] };
}
