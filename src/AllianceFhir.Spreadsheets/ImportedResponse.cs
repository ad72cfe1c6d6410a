using System.Security.Cryptography;
using System.Text;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Spreadsheets;

/// <summary>A checked row as FHIR: the patient's identifier and the completed QuestionnaireResponse.</summary>
public sealed record ImportedResponse(Identifier Patient, QuestionnaireResponse Response, string RowIdentity)
{
    /// <summary>The system of <c>QuestionnaireResponse.identifier</c> for imported rows; its value is the row identity.</summary>
    public const string RowIdentitySystem = ExtensionUrls.CanonicalBase + "/sid/spreadsheet-row";

    /// <summary>
    /// Builds the response of a row that passed <see cref="ImportRowValidator"/>. Its identifier is a hash of who, which
    /// instrument, when, episode and session, so the same administration imported again (from this file or a corrected
    /// copy) is recognised by a conditional create instead of being stored twice.
    /// </summary>
    public static ImportedResponse From(ImportRowInput input)
    {
        var row = input.Row;
        var questionnaire = input.Questionnaire!;
        var patient = new Identifier(input.PatientSystem, row[ImportColumns.Patient]);
        var authored = AuthoredTime.Parse(row, input.Settings, input.Now).Value!;
        var episode = row[ImportColumns.Episode];
        var session = row[ImportColumns.Session];
        var identity = Hash($"{patient.System}|{patient.Value}|{questionnaire.Url}|{authored.Value}|{episode}|{session}");

        var response = new QuestionnaireResponse
        {
            Identifier = new Identifier(RowIdentitySystem, identity),
            Questionnaire = questionnaire.Version is null ? questionnaire.Url : $"{questionnaire.Url}|{questionnaire.Version}",
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Authored = authored.Value,
            Item = Items(questionnaire.Item, row),
        };
        if (row[ImportColumns.Practitioner] is { } practitioner)
        {
            // A logical reference: the clinic's own staff code, not a Practitioner this server has to hold.
            response.Author = new ResourceReference { Identifier = new Identifier { Value = practitioner }, Type = "Practitioner" };
        }

        var encounter = row[ImportColumns.Encounter]
            ?? (episode is null && session is null ? null : string.Join('/', new[] { episode, session }.Where(p => p is not null)));
        if (encounter is not null)
        {
            response.Encounter = new ResourceReference
            {
                Identifier = new Identifier { Value = encounter },
                Type = "Encounter",
                Display = session is null ? null : episode is null ? $"Session {session}" : $"Episode {episode}, session {session}",
            };
        }

        return new ImportedResponse(patient, response, identity);
    }

    private static List<QuestionnaireResponse.ItemComponent> Items(IEnumerable<Questionnaire.ItemComponent> items, SpreadsheetRow row)
    {
        var result = new List<QuestionnaireResponse.ItemComponent>();
        foreach (var item in items)
        {
            if (item.Type == Questionnaire.QuestionnaireItemType.Group)
            {
                var children = Items(item.Item, row);
                if (children.Count > 0)
                {
                    result.Add(new QuestionnaireResponse.ItemComponent { LinkId = item.LinkId, Item = children });
                }
            }
            else if (AnswerCell.IsAnswerable(item) && row[item.LinkId ?? string.Empty] is { } text && AnswerCell.Parse(item, text).Value is { } value)
            {
                result.Add(new QuestionnaireResponse.ItemComponent
                {
                    LinkId = item.LinkId,
                    Answer = [new QuestionnaireResponse.AnswerComponent { Value = value }],
                });
            }
        }

        return result;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
