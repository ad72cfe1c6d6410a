using System.Globalization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Infrastructure;

/// <summary>Builds responses the way an EHR does: from the Questionnaire the server serves.</summary>
public static class InstrumentResponses
{
    /// <summary>The encounter every response built here names.</summary>
    public const string EncounterId = "session-1";

    /// <summary>
    /// Stores the patient and the session encounter the responses built here refer to: the server refuses a response
    /// whose subject, author or encounter does not exist, as an EHR's own records would.
    /// </summary>
    public static async Task StoreSubjectAsync(HttpClient client, string patient)
    {
        await Patients.StoreAsync(client, patient);
        using var encounter = await client.PutAsync($"/fhir/Encounter/{EncounterId}", new Encounter
        {
            Id = EncounterId,
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
        });
        Assert.True(encounter.IsSuccessStatusCode, $"PUT Encounter/{EncounterId} answered {(int)encounter.StatusCode}");
    }

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
        Encounter = new ResourceReference($"Encounter/{EncounterId}"),
        Author = new ResourceReference($"Patient/{patient}"),
        Authored = "2026-03-02T10:00:00Z",
    };

    public static QuestionnaireResponse.ItemComponent Answer(string linkId, DataType value) =>
        new() { LinkId = linkId, Answer = [new QuestionnaireResponse.AnswerComponent { Value = value }] };
}
