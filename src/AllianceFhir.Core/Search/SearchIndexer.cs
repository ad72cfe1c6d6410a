using System.Collections.Frozen;
using AllianceFhir.Core.References;
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

    public IReadOnlyList<SearchIndexValue> Extract(Resource resource) => Extract(resource, ServiceBase.None);

    public IReadOnlyList<SearchIndexValue> Extract(Resource resource, ServiceBase serviceBase)
    {
        ArgumentNullException.ThrowIfNull(serviceBase);
        ArgumentNullException.ThrowIfNull(resource);
        if (!_byType.TryGetValue(resource.TypeName, out var parameters))
        {
            return [];
        }

        // The node tree is built only for the few parameters the engine evaluates; plain paths walk the POCOs.
        PocoNode? root = null;
        var selected = new List<Base>();
        var values = new List<SearchIndexValue>();
        foreach (var parameter in parameters)
        {
            if (parameter.PlainPath is { } path && parameter.AllComponentsPlain)
            {
                selected.Clear();
                path.Evaluate(resource, resource.TypeName, selected);
                foreach (var value in selected)
                {
                    if (parameter.Components.Length == 0)
                    {
                        IndexValueConverter.Convert(parameter.Name, parameter.Type, value, values, serviceBase);
                    }
                    else
                    {
                        AddComposites(parameter, value, null, values, serviceBase);
                    }
                }

                continue;
            }

            root ??= resource.ToPocoNode();
            foreach (var node in parameter.Expression([root], new FhirEvaluationContext()))
            {
                if (parameter.Components.Length == 0)
                {
                    IndexValueConverter.Convert(parameter.Name, parameter.Type, node.Poco, values, serviceBase);
                }
                else
                {
                    AddComposites(parameter, node.Poco, node, values, serviceBase);
                }
            }
        }

        return Deduplicate(values);
    }

    /// <param name="node">The focus as a node, for components the engine evaluates; null when every component is a plain path.</param>
    private static void AddComposites(CompiledParameter parameter, Base focus, PocoNode? node, List<SearchIndexValue> into, ServiceBase serviceBase)
    {
        // One composite row per combination of component values (a code with two codings and one value → two rows),
        // so a search for code$value matches only pairs that really occur together.
        var perComponent = new List<List<SearchIndexValue>>(parameter.Components.Length);
        var selected = new List<Base>();
        foreach (var component in parameter.Components)
        {
            var componentValues = new List<SearchIndexValue>();
            selected.Clear();
            if (component.PlainPath is { } path)
            {
                path.Evaluate(focus, string.Empty, selected);
            }
            else
            {
                selected.AddRange(component.Expression([node!], new FhirEvaluationContext()).Select(n => n.Poco));
            }

            foreach (var value in selected)
            {
                IndexValueConverter.Convert(component.Name, component.Type, value, componentValues, serviceBase);
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
            var components = parameter.Components.Select(c => new CompiledComponent(
                c.Name,
                c.Type,
                compiler.Compile(FhirPathExpressions.RewriteResolveIs(c.Expression)),
                navigatePlainPaths ? PlainPathExpression.TryParse(c.Expression, relativeOnly: true) : null)).ToArray();
            return new CompiledParameter(
                parameter.Name,
                parameter.Type,
                compiler.Compile(FhirPathExpressions.RewriteResolveIs(parameter.Expression)),
                components,
                navigatePlainPaths ? PlainPathExpression.TryParse(parameter.Expression) : null);
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
        PlainPathExpression? PlainPath)
    {
        /// <summary>Whether the whole parameter, components included, is walked over the POCOs without the engine.</summary>
        public bool AllComponentsPlain { get; } = Components.All(c => c.PlainPath is not null);
    }
}
