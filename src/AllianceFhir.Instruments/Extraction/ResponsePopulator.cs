using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Extraction;

/// <summary>
/// The logic of SDC <c>$populate</c> without pre-population sources: an <c>in-progress</c> response for the subject
/// that mirrors the Questionnaire's item tree, ready for a form to fill in. Questions start empty unless the item
/// declares R4 <c>initial</c> values (or an <c>answerOption</c> marked <c>initialSelected</c>).
/// </summary>
public static class ResponsePopulator
{
    public static QuestionnaireResponse Populate(Questionnaire questionnaire, ResourceReference subject, ResourceReference? encounter = null)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(subject);
        return new QuestionnaireResponse
        {
            Questionnaire = questionnaire.Version is null ? questionnaire.Url : $"{questionnaire.Url}|{questionnaire.Version}",
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            Subject = (ResourceReference)subject.DeepCopy(),
            Encounter = (ResourceReference?)encounter?.DeepCopy(),
            Item = Skeleton(questionnaire.Item),
        };
    }

    private static List<QuestionnaireResponse.ItemComponent> Skeleton(List<Questionnaire.ItemComponent> items) =>
        items.Where(i => i.KnownType() != Questionnaire.QuestionnaireItemType.Display)
            .Select(i => new QuestionnaireResponse.ItemComponent
            {
                LinkId = i.LinkId,
                Definition = i.Definition,
                Text = i.Text,

                // Children of a question live under its answer; only groups nest their items directly.
                Item = i.KnownType() == Questionnaire.QuestionnaireItemType.Group ? Skeleton(i.Item) : [],
                Answer = InitialAnswers(i),
            })
            .ToList();

    private static List<QuestionnaireResponse.AnswerComponent> InitialAnswers(Questionnaire.ItemComponent item)
    {
        var values = item.Initial.Select(v => v.Value)
            .Concat(item.AnswerOption.Where(o => o.InitialSelected == true).Select(o => o.Value))
            .OfType<DataType>()
            .ToList();
        return values
            .Select(v => new QuestionnaireResponse.AnswerComponent { Value = (DataType)v.DeepCopy(), Item = item.Item.Count > 0 ? Skeleton(item.Item) : [] })
            .ToList();
    }
}
