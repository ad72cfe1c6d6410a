using Hl7.Fhir.Model;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;

namespace AllianceFhir.Instruments.Scoring;

/// <summary>
/// The FHIRPath functions SDC scoring expressions use that Firely 6.8 does not ship: <c>weight()</c> with its
/// older alias <c>ordinal()</c>, and <c>sum()</c>. The Questionnaire comes from the <c>%questionnaire</c> variable.
/// </summary>
internal static class ScoringFunctions
{
    public const string QuestionnaireVariable = "questionnaire";

    public static SymbolTable Register(SymbolTable symbols)
    {
        symbols.Add("weight", (Func<IEnumerable<PocoNode>, EvaluationContext, IEnumerable<PocoNode>>)Weight, doNullProp: false);
        symbols.Add("ordinal", (Func<IEnumerable<PocoNode>, EvaluationContext, IEnumerable<PocoNode>>)Weight, doNullProp: false);
        symbols.Add("sum", (Func<IEnumerable<PocoNode>, IEnumerable<PocoNode>>)Sum, doNullProp: false);
        return symbols;
    }

    private static IEnumerable<PocoNode> Weight(IEnumerable<PocoNode> focus, EvaluationContext context)
    {
        var questionnaire = QuestionnaireOf(context);
        var index = questionnaire is null ? null : QuestionnaireIndex.For(questionnaire);
        foreach (var node in focus)
        {
            // Accept the answer itself (LHC-Forms writes answer.weight()) as well as its value (SDC's answer.value.weight()).
            var (coding, valueNode) = node.Poco switch
            {
                QuestionnaireResponse.AnswerComponent answer => (answer.Value as Coding, node),
                Coding c => (c, node.Parent as PocoNode),
                _ => (null, null),
            };
            if (coding is null)
            {
                continue;
            }

            var linkId = LinkIdAbove(valueNode);
            var item = linkId is null ? null : index?.Find(linkId);
            var weight = AnswerWeights.Find(questionnaire, item, coding);
            if (weight is not null)
            {
                yield return PocoNode.ForPrimitive(new FhirDecimal(weight.Value));
            }
        }
    }

    /// <summary>Integer sum stays integer; any decimal makes it decimal; the sum of nothing is 0 (as in fhirpath.js).</summary>
    private static IEnumerable<PocoNode> Sum(IEnumerable<PocoNode> focus)
    {
        long integerTotal = 0;
        decimal decimalTotal = 0;
        var isDecimal = false;
        foreach (var node in focus)
        {
            switch (node.Poco)
            {
                case Integer { Value: { } i }:
                    integerTotal += i;
                    break;
                case Integer64 { Value: { } l }:
                    integerTotal += l;
                    break;
                case FhirDecimal { Value: { } d }:
                    decimalTotal += d;
                    isDecimal = true;
                    break;
                case PositiveInt { Value: { } p }:
                    integerTotal += p;
                    break;
                case UnsignedInt { Value: { } u }:
                    integerTotal += u;
                    break;

                // System types from FHIRPath arithmetic (e.g. (a + b).sum()).
                case PrimitiveType { JsonValue: int i }:
                    integerTotal += i;
                    break;
                case PrimitiveType { JsonValue: long l }:
                    integerTotal += l;
                    break;
                case PrimitiveType { JsonValue: decimal d }:
                    decimalTotal += d;
                    isDecimal = true;
                    break;
                default:
                    throw new InvalidOperationException($"sum() can only add numbers, not {node.Poco.TypeName}.");
            }
        }

        return isDecimal
            ? [PocoNode.ForPrimitive(new FhirDecimal(decimalTotal + integerTotal))]
            : [PocoNode.ForPrimitive(new Integer((int)integerTotal))];
    }

    private static Questionnaire? QuestionnaireOf(EvaluationContext context) =>
        context.Environment.TryGetValue(QuestionnaireVariable, out var nodes)
            ? nodes.Select(n => n.Poco).OfType<Questionnaire>().FirstOrDefault()
            : null;

    /// <summary>Walks up from an answer to the response item that owns it.</summary>
    private static string? LinkIdAbove(PocoNode? node)
    {
        for (var current = node; current is not null; current = current.Parent as PocoNode)
        {
            if (current.Poco is QuestionnaireResponse.ItemComponent item)
            {
                return item.LinkId;
            }
        }

        return null;
    }
}
