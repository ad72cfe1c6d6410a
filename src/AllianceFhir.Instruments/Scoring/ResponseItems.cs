using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Scoring;

/// <summary>Places a computed answer in the response at the item's position in the Questionnaire tree.</summary>
internal static class ResponseItems
{
    public static void SetAnswer(Questionnaire questionnaire, QuestionnaireResponse response, Questionnaire.ItemComponent definition, DataType? value)
    {
        var path = (definition.LinkId is null ? null : ItemTree.PathTo(questionnaire.Item, definition.LinkId)) ?? [definition];
        var siblings = response.Item;
        var siblingDefinitions = questionnaire.Item;
        QuestionnaireResponse.ItemComponent? target = null;
        foreach (var step in path)
        {
            // Calculated items inside repeating groups take the first instance; our instruments keep scores at the root.
            target = siblings.FirstOrDefault(i => i.LinkId == step.LinkId);
            if (target is null)
            {
                if (value is null)
                {
                    return;
                }

                target = new QuestionnaireResponse.ItemComponent { LinkId = step.LinkId, Text = step.Text };
                Insert(siblings, siblingDefinitions, target);
            }

            siblingDefinitions = step.Item;
            siblings = target.Item;
        }

        target!.Answer.Clear();
        if (value is not null)
        {
            target.Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = value });
        }
    }

    /// <summary>Inserts in Questionnaire order so the response reads like the form.</summary>
    private static void Insert(List<QuestionnaireResponse.ItemComponent> siblings, List<Questionnaire.ItemComponent> definitions, QuestionnaireResponse.ItemComponent item)
    {
        var order = definitions.FindIndex(d => d.LinkId == item.LinkId);
        var position = siblings.FindIndex(s => definitions.FindIndex(d => d.LinkId == s.LinkId) > order);
        siblings.Insert(position < 0 ? siblings.Count : position, item);
    }
}
