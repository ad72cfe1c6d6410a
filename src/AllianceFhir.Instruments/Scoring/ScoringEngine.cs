using System.Collections.Concurrent;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;

namespace AllianceFhir.Instruments.Scoring;

/// <summary>
/// Evaluates the Questionnaire's own <c>calculatedExpression</c>s with one FHIRPath compiler that knows the SDC
/// <c>weight()</c>/<c>ordinal()</c> functions and <c>sum()</c>. Compiled expressions are immutable and cached by
/// text; each evaluation gets a fresh context because evaluation mutates it. Thread-safe; register as a singleton.
/// </summary>
public sealed class ScoringEngine
{
    private readonly FhirPathCompiler _compiler;
    private readonly ConcurrentDictionary<string, CompiledExpression> _compiled = new(StringComparer.Ordinal);

    public ScoringEngine()
    {
        // Functions must be in the table before the first Compile: compiled expressions bind them eagerly.
        var symbols = ScoringFunctions.Register(new SymbolTable().AddStandardFP().AddFhirExtensions());
        _compiler = new FhirPathCompiler(symbols);
    }

    /// <summary>Evaluates an expression over a resource with <c>%questionnaire</c> bound.</summary>
    public IReadOnlyList<Base> Evaluate(string expression, Resource resource, Questionnaire? questionnaire)
    {
        var compiled = _compiled.GetOrAdd(expression, _compiler.Compile);
        var context = new FhirEvaluationContext();
        if (questionnaire is not null)
        {
            context.Environment[ScoringFunctions.QuestionnaireVariable] = [questionnaire.ToPocoNode()];
        }

        return compiled(resource.ToPocoNode(), context).Select(n => n.Poco).ToList();
    }

    /// <summary>
    /// Computes every calculated item in Questionnaire order and writes the values into the response, replacing
    /// whatever the client sent for them (an empty result removes the answer). Later items may use earlier results.
    /// </summary>
    public IReadOnlyList<CalculatedValue> Score(Questionnaire questionnaire, QuestionnaireResponse response)
    {
        var results = new List<CalculatedValue>();
        foreach (var definition in ItemTree.Flatten(questionnaire.Item))
        {
            var expression = CalculatedExpressionOf(definition);
            if (expression is null)
            {
                continue;
            }

            IReadOnlyList<Base> values;
            try
            {
                values = Evaluate(expression, response, questionnaire);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or InvalidCastException)
            {
                throw new ScoringException(definition.LinkId, $"the calculated expression failed: {ex.Message}", ex);
            }

            var value = values.Count switch
            {
                0 => null,
                1 => Convert(definition, values[0]),
                _ => throw new ScoringException(definition.LinkId, $"the calculated expression returned {values.Count} values where one was expected"),
            };
            ResponseItems.SetAnswer(questionnaire, response, definition, value);
            results.Add(new CalculatedValue(definition, value));
        }

        return results;
    }

    /// <summary>The FHIRPath text of an item's calculatedExpression, or null.</summary>
    public static string? CalculatedExpressionOf(Questionnaire.ItemComponent definition) =>
        definition.GetExtension(ExtensionUrls.CalculatedExpression)?.Value is Hl7.Fhir.Model.Expression { Language: "text/fhirpath", Expression_: { } text }
            ? text
            : null;

    private static DataType Convert(Questionnaire.ItemComponent definition, Base result) => (definition.KnownType(), result) switch
    {
        (Questionnaire.QuestionnaireItemType.Integer, Integer i) => i,
        (Questionnaire.QuestionnaireItemType.Integer, FhirDecimal { Value: { } d }) when d == decimal.Truncate(d) => new Integer((int)d),
        (Questionnaire.QuestionnaireItemType.Decimal, FhirDecimal d) => d,
        (Questionnaire.QuestionnaireItemType.Decimal, Integer { Value: { } i }) => new FhirDecimal(i),
        (Questionnaire.QuestionnaireItemType.Quantity, FhirDecimal or Integer) => ScoreQuantity(definition, result),
        (Questionnaire.QuestionnaireItemType.String or Questionnaire.QuestionnaireItemType.Text, PrimitiveType p) => new FhirString(p.ToString()),
        (_, DataType d) when d.GetType() != typeof(Integer) && d.GetType() != typeof(FhirDecimal) => d,
        _ => throw new ScoringException(definition.LinkId, $"the calculated value ({result.TypeName}) does not fit an item of type {definition.RawType()}"),
    };

    /// <summary>A number for a quantity item takes the item's unit (questionnaire-unit), else the UCUM <c>{score}</c>.</summary>
    private static Quantity ScoreQuantity(Questionnaire.ItemComponent definition, Base number)
    {
        var unit = definition.GetExtension("http://hl7.org/fhir/StructureDefinition/questionnaire-unit")?.Value as Coding;
        return new Quantity
        {
            Value = number is Integer i ? i.Value : ((FhirDecimal)number).Value,
            Unit = unit?.Display ?? unit?.Code ?? "{score}",
            System = unit?.System ?? ExtensionUrls.Ucum,
            Code = unit?.Code ?? "{score}",
        };
    }
}

/// <summary>One calculated item and the value written into the response (null when the expression gave nothing).</summary>
public sealed record CalculatedValue(Questionnaire.ItemComponent Item, DataType? Value);
