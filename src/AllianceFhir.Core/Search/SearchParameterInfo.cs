using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// One search parameter as this server supports it for one resource type. <see cref="Expression"/> is the R4
/// FHIRPath expression narrowed to the branches that apply to <see cref="ResourceType"/> (the shared R4
/// definitions list every type they cover, joined with <c>|</c>).
/// </summary>
public sealed record SearchParameterInfo(
    string ResourceType,
    string Name,
    SearchParamType Type,
    string Expression,
    IReadOnlyList<string> Targets,
    IReadOnlyList<CompositeComponentInfo> Components,
    string? Documentation,
    string? Url);

/// <summary>
/// One component of a composite parameter: <see cref="Expression"/> is evaluated on each node the composite's own
/// expression selects; <see cref="Name"/> and <see cref="Type"/> come from the component's definition.
/// </summary>
public sealed record CompositeComponentInfo(string Name, SearchParamType Type, string Expression, string DefinitionUrl);
