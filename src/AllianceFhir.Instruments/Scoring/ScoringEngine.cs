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
    /// <summary>
    /// Clients can post Questionnaires with any expression text, so the cache is bounded: past this size it starts
    /// over (the catalog's handful of expressions are recompiled on next use, in microseconds).
    /// </summary>
    private const int MaxCachedExpressions = 4096;

    private readonly ConcurrentDictionary<string, CompiledExpression> _compiled = new(StringComparer.Ordinal);

    public ScoringEngine()
    {
        // Functions must be in the table before the first Compile: compiled expressions bind them eagerly.
        var symbols = ScoringFunctions.Register(new SymbolTable().AddStandardFP().AddFhirExtensions());
        _compiler = new FhirPathCompiler(symbols);
    }

    /// <summary>Evaluates an expression over a resource with <c>%questionnaire</c> bound.</summary>
    public IReadOnlyList<Base> Evaluate(string expression, Resource resource, Questionnaire? questionnaire) =>
        EvaluateNodes(expression, resource, questionnaire, null).Select(n => n.Poco).ToList();

    /// <summary>Evaluates an item-level expression (e.g. enableWhenExpression) with the SDC variables in the item's scope.</summary>
    public IReadOnlyList<Base> EvaluateForItem(string expression, Questionnaire questionnaire, QuestionnaireResponse response, Questionnaire.ItemComponent item) =>
        EvaluateNodes(expression, response, questionnaire, Variables(questionnaire, response, item)).Select(n => n.Poco).ToList();

    /// <summary>
    /// Computes every calculated item in Questionnaire order and writes the values into the response, replacing
    /// whatever the client sent for them (an empty result removes the answer). Later items may use earlier results.
    /// SDC <c>variable</c>s on the Questionnaire, the item's ancestors and the item itself are bound first, in order.
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

            List<PocoNode> values;
            try
            {
                var variables = Variables(questionnaire, response, definition);
                values = EvaluateNodes(expression, response, questionnaire, variables);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException and not ScoringException)
            {
                // Parse and evaluation errors of a (possibly client-posted) Questionnaire's expression are its defect.
                throw new ScoringException(definition.LinkId, $"the calculated expression failed: {ex.Message}", ex);
            }

            var value = values.Count switch
            {
                0 => null,
                1 => Convert(definition, Normalize(values[0].Poco)),
                _ => throw new ScoringException(definition.LinkId, $"the calculated expression returned {values.Count} values where one was expected"),
            };
            ResponseItems.SetAnswer(questionnaire, response, definition, value);
            results.Add(new CalculatedValue(definition, value));
        }

        return results;
    }

    private List<PocoNode> EvaluateNodes(
        string expression,
        Resource resource,
        Questionnaire? questionnaire,
        Dictionary<string, IReadOnlyList<PocoNode>>? variables)
    {
        var compiled = Compiled(expression);
        var context = new FhirEvaluationContext();
        if (questionnaire is not null)
        {
            context.Environment[ScoringFunctions.QuestionnaireVariable] = [questionnaire.ToPocoNode()];
        }

        foreach (var (name, value) in variables ?? [])
        {
            context.Environment[name] = value;
        }

        // A fresh node per evaluation: the response changes between calculated items.
        return compiled(resource.ToPocoNode(), context).ToList();
    }

    /// <summary>The SDC variables in scope for an item, each evaluated after the ones before it.</summary>
    private Dictionary<string, IReadOnlyList<PocoNode>>? Variables(Questionnaire questionnaire, QuestionnaireResponse response, Questionnaire.ItemComponent definition)
    {
        var scopes = new List<IExtendable> { questionnaire };
        scopes.AddRange((definition.LinkId is null ? null : ItemTree.PathTo(questionnaire.Item, definition.LinkId)) ?? [definition]);
        Dictionary<string, IReadOnlyList<PocoNode>>? variables = null;
        foreach (var extension in scopes.SelectMany(s => s.GetExtensions(ExtensionUrls.Variable)))
        {
            if (extension.Value is Hl7.Fhir.Model.Expression { Language: "text/fhirpath", Name: { } name, Expression_: { } text })
            {
                variables ??= [];
                variables[name] = EvaluateNodes(text, response, questionnaire, variables);
            }
        }

        return variables;
    }

    /// <summary>Null when the expression compiles with the scoring functions, else why it does not.</summary>
    public string? CompileProblem(string expression)
    {
        try
        {
            Compiled(expression);
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex.Message;
        }
    }

    internal int CachedExpressionCount => _compiled.Count;

    private CompiledExpression Compiled(string expression)
    {
        if (_compiled.TryGetValue(expression, out var compiled))
        {
            return compiled;
        }

        if (_compiled.Count >= MaxCachedExpressions)
        {
            _compiled.Clear();
        }

        return _compiled.GetOrAdd(expression, _compiler.Compile);
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

    /// <summary>
    /// FHIRPath arithmetic yields System types (Hl7.FhirPath.FPDecimal and friends) rather than FHIR primitives;
    /// map them onto the FHIR types an answer can hold.
    /// </summary>
    private static Base Normalize(Base result) => result switch
    {
        FhirDecimal or Integer or FhirString or FhirBoolean or Date or FhirDateTime or Time or Coding or Quantity => result,
        PrimitiveType { JsonValue: decimal d } => new FhirDecimal(d),
        PrimitiveType { JsonValue: int i } => new Integer(i),
        PrimitiveType { JsonValue: long l } when l is >= int.MinValue and <= int.MaxValue => new Integer((int)l),
        PrimitiveType { JsonValue: bool b } => new FhirBoolean(b),
        PrimitiveType { JsonValue: string s } => new FhirString(s),
        _ => result,
    };

    /// <summary>A number for a quantity item takes the item's unit (questionnaire-unit), else the UCUM <c>{score}</c>.</summary>
    private static Quantity ScoreQuantity(Questionnaire.ItemComponent definition, Base number)
    {
        var unit = definition.GetExtension(ExtensionUrls.QuestionnaireUnit)?.Value as Coding;
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
