using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// Lists, per type, every search parameter the registry supports (name, type, definition, documentation), and the
/// `_include`/`_revinclude` values that make sense for it, so clients can discover the search surface from /metadata.
/// </summary>
public sealed class SearchCapabilityContributor(SearchParameterRegistry registry) : ICapabilityContributor
{
    public void Contribute(CapabilityStatement.ResourceComponent resource)
    {
        var type = resource.Type;
        if (type is null || !registry.Supports(type))
        {
            return;
        }

        foreach (var parameter in registry.For(type).Where(p => p.Type != SearchParamType.Special))
        {
            resource.SearchParam.Add(new CapabilityStatement.SearchParamComponent
            {
                Name = parameter.Name,
                Type = parameter.Type,
                Definition = parameter.Url,
                Documentation = string.IsNullOrWhiteSpace(parameter.Documentation) ? null : parameter.Documentation,
            });
        }

        // AuditEvents are kept apart from index rows (Core.Audit.AuditEventSearch): no include reaches into or out of them.
        var references = AuditEventSearch.IsVirtual(type) ? [] : registry.For(type).Where(p => p.Type == SearchParamType.Reference).ToList();
        resource.SearchInclude = [.. references.Select(p => $"{type}:{p.Name}")];
        resource.SearchRevInclude = AuditEventSearch.IsVirtual(type) ? [] : [.. registry.ResourceTypes.Where(t => !AuditEventSearch.IsVirtual(t)).Order(StringComparer.Ordinal)
            .SelectMany(source => registry.For(source)
                .Where(p => p.Type == SearchParamType.Reference && p.Targets.Contains(type))
                .Select(p => $"{source}:{p.Name}"))];
    }
}
