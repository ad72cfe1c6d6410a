using System.Collections.Frozen;
using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;
using Hl7.FhirPath;
using Hl7.FhirPath.Expressions;

namespace AllianceFhir.Core.Search;

/// <summary>
/// Extracts every supported search parameter's values from a resource by evaluating the parameter's R4 FHIRPath
/// expression. Each expression is compiled once, here, at construction; <see cref="Extract"/> only evaluates.
/// Thread-safe: compiled expressions are immutable and every evaluation gets its own context.
/// </summary>
/// <remarks>
/// Call it after the write pipeline has set <c>meta.lastUpdated</c>, or <c>_lastUpdated</c> has no value to index.
/// Contained resources are not indexed (their references, <c>#id</c>, are skipped too).
/// </remarks>
public sealed class SearchIndexer : ISearchIndexer
{
    private readonly FrozenDictionary<string, CompiledParameter[]> _byType;

    public SearchIndexer(SearchParameterRegistry registry)
        : this(registry, navigatePlainPaths: true)
    {
    }

    /// <param name="navigatePlainPaths">False evaluates every expression with the FHIRPath engine (tests compare the two).</param>
    internal SearchIndexer(SearchParameterRegistry registry, bool navigatePlainPaths)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var compiler = new FhirPathCompiler(new SymbolTable().AddStandardFP().AddFhirExtensions());
        _byType = registry.ResourceTypes.ToFrozenDictionary(
            type => type,
            type => registry.For(type).Select(p => Compile(compiler, p, navigatePlainPaths)).ToArray(),
            StringComparer.Ordinal);
    }

    /// <summary>The parameters of a type whose expression is navigated as plain paths rather than by the FHIRPath engine.</summary>
    internal IReadOnlyList<string> PlainPathParameters(string resourceType) =>
        _byType.TryGetValue(resourceType, out var parameters) ? [.. parameters.Where(p => p.PlainPath is not null).Select(p => p.Name)] : [];

    public IReadOnlyList<SearchIndexValue> Extract(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (!_byType.TryGetValue(resource.TypeName, out var parameters))
        {
            return [];
        }

        var root = resource.ToPocoNode();
        var values = new List<SearchIndexValue>();
        foreach (var parameter in parameters)
        {
            var results = parameter.PlainPath is { } path
                ? path.Evaluate(root, resource.TypeName)
                : parameter.Expression([root], new FhirEvaluationContext());
            if (parameter.Components.Length == 0)
            {
                foreach (var node in results)
                {
                    IndexValueConverter.Convert(parameter.Name, parameter.Type, node.Poco, values);
                }
            }
            else
            {
                foreach (var node in results)
                {
                    AddComposites(parameter, node, values);
                }
            }
        }

        return Deduplicate(values);
    }

    private static void AddComposites(CompiledParameter parameter, PocoNode focus, List<SearchIndexValue> into)
    {
        // One composite row per combination of component values (a code with two codings and one value → two rows),
        // so a search for code$value matches only pairs that really occur together.
        var perComponent = new List<List<SearchIndexValue>>(parameter.Components.Length);
        foreach (var component in parameter.Components)
        {
            var componentValues = new List<SearchIndexValue>();
            var nodes = component.PlainPath is { } path
                ? path.Evaluate(focus, string.Empty)
                : component.Expression([focus], new FhirEvaluationContext());
            foreach (var node in nodes)
            {
                IndexValueConverter.Convert(component.Name, component.Type, node.Poco, componentValues);
            }

            // A concept's text row has no code; code$value searches match codes, so it pairs with nothing.
            componentValues.RemoveAll(v => v is TokenIndexValue { Code: null });

            if (componentValues.Count == 0)
            {
                return;
            }

            perComponent.Add(componentValues);
        }

        IEnumerable<IReadOnlyList<SearchIndexValue>> combinations = [[]];
        foreach (var options in perComponent)
        {
            combinations = combinations.SelectMany(prefix => options.Select(o => (IReadOnlyList<SearchIndexValue>)[.. prefix, o]));
        }

        foreach (var combination in combinations)
        {
            into.Add(new CompositeIndexValue(parameter.Name, combination));
        }
    }

    private static List<SearchIndexValue> Deduplicate(List<SearchIndexValue> values)
    {
        // The same value reached twice (a name's text and family, two identical codings) is one index row.
        // Composite records compare their lists by reference, so they are compared by their components here.
        var seen = new HashSet<SearchIndexValue>();
        var seenComposites = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<SearchIndexValue>(values.Count);
        foreach (var value in values)
        {
            var isNew = value is CompositeIndexValue composite
                ? seenComposites.Add(composite.ParamName + "\u001f" + string.Join('\u001e', composite.Components))
                : seen.Add(value);
            if (isNew)
            {
                result.Add(value);
            }
        }

        return result;
    }

    private static CompiledParameter Compile(FhirPathCompiler compiler, SearchParameterInfo parameter, bool navigatePlainPaths)
    {
        try
        {
            var components = parameter.Components.Select(c =>
            {
                var componentExpression = FhirPathExpressions.RewriteResolveIs(c.Expression);
                return new CompiledComponent(
                    c.Name,
                    c.Type,
                    compiler.Compile(componentExpression),
                    navigatePlainPaths ? PlainPathExpression.TryParse(componentExpression, relativeOnly: true) : null);
            }).ToArray();
            var expression = FhirPathExpressions.RewriteResolveIs(parameter.Expression);
            return new CompiledParameter(
                parameter.Name,
                parameter.Type,
                compiler.Compile(expression),
                components,
                navigatePlainPaths ? PlainPathExpression.TryParse(expression) : null);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // Fail at start-up, naming the parameter, rather than silently never indexing it.
            throw new InvalidOperationException(
                $"Search parameter {parameter.ResourceType}.{parameter.Name} has an expression the FHIRPath compiler rejects: {parameter.Expression}",
                ex);
        }
    }

    private sealed record CompiledComponent(string Name, SearchParamType Type, CompiledExpression Expression, PlainPathExpression? PlainPath);

    private sealed record CompiledParameter(
        string Name,
        SearchParamType Type,
        CompiledExpression Expression,
        CompiledComponent[] Components,
        PlainPathExpression? PlainPath);
}
