using System.Runtime.CompilerServices;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Scoring;

/// <summary>
/// linkId → item lookup over a Questionnaire's whole tree, built once per Questionnaire instance and kept as long as
/// that instance lives (a weak table, so resolved Questionnaires are not pinned in memory).
/// </summary>
internal sealed class QuestionnaireIndex
{
    private static readonly ConditionalWeakTable<Questionnaire, QuestionnaireIndex> Cache = [];

    private readonly Dictionary<string, Questionnaire.ItemComponent> _items = new(StringComparer.Ordinal);

    private QuestionnaireIndex(Questionnaire questionnaire)
    {
        foreach (var item in Fhir.ItemTree.Flatten(questionnaire.Item))
        {
            if (item.LinkId is not null)
            {
                _items.TryAdd(item.LinkId, item);
            }
        }
    }

    public static QuestionnaireIndex For(Questionnaire questionnaire) => Cache.GetValue(questionnaire, q => new QuestionnaireIndex(q));

    public Questionnaire.ItemComponent? Find(string linkId) => _items.GetValueOrDefault(linkId);
}
