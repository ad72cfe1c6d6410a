using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Validation;

/// <summary>
/// Where in the response an item sits: the item lists enclosing it, innermost first. enableWhen looks for the
/// question it depends on in the nearest enclosing group instance before looking further out, so items inside a
/// repeating group depend on answers in their own instance.
/// </summary>
internal sealed class ResponseScope
{
    private readonly IReadOnlyList<QuestionnaireResponse.ItemComponent> _items;
    private readonly ResponseScope? _outer;

    private ResponseScope(IReadOnlyList<QuestionnaireResponse.ItemComponent> items, ResponseScope? outer)
    {
        _items = items;
        _outer = outer;
    }

    public static ResponseScope Root(QuestionnaireResponse response) => new(response.Item, null);

    public ResponseScope Inner(IReadOnlyList<QuestionnaireResponse.ItemComponent> items) => new(items, this);

    /// <summary>The answers given to <paramref name="linkId"/>, from the nearest scope that contains that question.</summary>
    public IReadOnlyList<QuestionnaireResponse.AnswerComponent> AnswersTo(string linkId)
    {
        for (var scope = this; scope is not null; scope = scope._outer)
        {
            var found = Fhir.ItemTree.Flatten(scope._items).Where(i => i.LinkId == linkId).ToList();
            if (found.Count > 0)
            {
                return found.SelectMany(i => i.Answer).Where(a => a.Value is not null).ToList();
            }
        }

        return [];
    }
}
