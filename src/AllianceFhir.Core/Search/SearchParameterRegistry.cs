using System.Collections.Frozen;
using AllianceFhir.Core.Resources;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// The search parameters this server supports, per resource type, taken from the R4 definitions the Firely SDK
/// ships (<see cref="ModelInfo.SearchParameters"/>) plus the Resource-level ones the SDK leaves out.
/// Immutable after construction; build one at start-up and share it.
/// </summary>
public sealed class SearchParameterRegistry
{
    /// <summary>The resource types the server stores and searches: the one list in <see cref="SupportedResourceTypes"/>.</summary>
    public static IReadOnlyList<string> DefaultResourceTypes => SupportedResourceTypes.All;

    private readonly FrozenDictionary<string, FrozenDictionary<string, SearchParameterInfo>> _byType;

    public SearchParameterRegistry()
        : this(DefaultResourceTypes)
    {
    }

    public SearchParameterRegistry(IEnumerable<string> resourceTypes)
    {
        var definitionsByUrl = ModelInfo.SearchParameters
            .Where(d => d.Url is not null)
            .GroupBy(d => d.Url!)
            .ToDictionary(g => g.Key, g => g.First());

        var byType = new Dictionary<string, FrozenDictionary<string, SearchParameterInfo>>();
        foreach (var type in resourceTypes.Distinct())
        {
            if (ModelInfo.GetTypeForFhirType(type) is null)
            {
                throw new ArgumentException($"'{type}' is not an R4 resource type.", nameof(resourceTypes));
            }

            var parameters = new Dictionary<string, SearchParameterInfo>(StringComparer.Ordinal);
            foreach (var common in CommonSearchParameters.For(type))
            {
                parameters[common.Name] = common;
            }

            foreach (var definition in ModelInfo.SearchParameters.Where(d => d.Resource == type))
            {
                var info = FromDefinition(type, definition, definitionsByUrl);
                if (info is not null)
                {
                    parameters[info.Name] = info;
                }
            }

            // AuditEvent is searched on its narrow table's columns: only the parameters those answer exist for it.
            foreach (var name in parameters.Keys.Where(n => !Audit.AuditEventSearch.Keeps(type, n)).ToList())
            {
                parameters.Remove(name);
            }

            byType[type] = parameters.ToFrozenDictionary(StringComparer.Ordinal);
        }

        _byType = byType.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> ResourceTypes => _byType.Keys;

    public bool Supports(string resourceType) => _byType.ContainsKey(resourceType);

    /// <summary>Every parameter of <paramref name="resourceType"/>, ordered by name (empty for an unsupported type).</summary>
    public IReadOnlyList<SearchParameterInfo> For(string resourceType) =>
        _byType.TryGetValue(resourceType, out var parameters)
            ? parameters.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList()
            : [];

    public bool TryGet(string resourceType, string name, out SearchParameterInfo parameter)
    {
        if (_byType.TryGetValue(resourceType, out var parameters) && parameters.TryGetValue(name, out var found))
        {
            parameter = found;
            return true;
        }

        parameter = null!;
        return false;
    }

    private static SearchParameterInfo? FromDefinition(
        string type,
        SearchParamDefinition definition,
        Dictionary<string, SearchParamDefinition> definitionsByUrl)
    {
        // Definitions without an expression (_text, _content, _query, …) need special handling that
        // this server does not have; they stay unsupported and a search using them reports them as ignored.
        if (string.IsNullOrWhiteSpace(definition.Expression) || definition.Name is null)
        {
            return null;
        }

        var expression = FhirPathExpressions.NarrowToType(definition.Expression, type);
        if (expression is null)
        {
            return null;
        }

        var components = new List<CompositeComponentInfo>();
        foreach (var component in definition.Component ?? [])
        {
            // A component we cannot type would make the composite unsearchable; drop the whole parameter then.
            if (!definitionsByUrl.TryGetValue(component.Definition, out var componentDefinition) || componentDefinition.Name is null)
            {
                return null;
            }

            components.Add(new CompositeComponentInfo(
                componentDefinition.Name, componentDefinition.Type, component.Expression, component.Definition));
        }

        return new SearchParameterInfo(
            type,
            definition.Name,
            definition.Type,
            expression,
            (definition.Target ?? []).Select(t => t.ToString()).ToList(),
            components,
            definition.Description?.Value,
            definition.Url);
    }
}
