using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Fhir;

/// <summary>Walks Questionnaire and QuestionnaireResponse item trees (questions nest under answers in responses).</summary>
public static class ItemTree
{
    public static IEnumerable<Questionnaire.ItemComponent> Flatten(IEnumerable<Questionnaire.ItemComponent> items)
    {
        foreach (var item in items)
        {
            yield return item;
            foreach (var child in Flatten(item.Item))
            {
                yield return child;
            }
        }
    }

    public static IEnumerable<QuestionnaireResponse.ItemComponent> Flatten(IEnumerable<QuestionnaireResponse.ItemComponent> items)
    {
        foreach (var item in items)
        {
            yield return item;
            foreach (var child in Flatten(item.Item.Concat(item.Answer.SelectMany(a => a.Item))))
            {
                yield return child;
            }
        }
    }

    /// <summary>True when the item or anything below it carries an answer value.</summary>
    public static bool HasAnyAnswer(QuestionnaireResponse.ItemComponent item) =>
        Flatten([item]).Any(i => i.Answer.Any(a => a.Value is not null));

    /// <summary>The chain of items from the root down to (and including) the item with this linkId, or null.</summary>
    public static IReadOnlyList<Questionnaire.ItemComponent>? PathTo(IEnumerable<Questionnaire.ItemComponent> items, string linkId)
    {
        foreach (var item in items)
        {
            if (item.LinkId == linkId)
            {
                return [item];
            }

            var below = PathTo(item.Item, linkId);
            if (below is not null)
            {
                return [item, .. below];
            }
        }

        return null;
    }
}
