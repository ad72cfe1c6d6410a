using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// "Which live resources refer to Type/id?" over the reference index. The index rows exist for current, not deleted
/// versions only, and hold every local reference (search-parameter paths under their parameter, the rest under
/// <see cref="UnindexedReferences.ParamName"/>). The lookup index leads with the key of the referring type and parameter,
/// so the query names all of them: the database seeks each (type, parameter) key instead of scanning the table.
/// </summary>
internal static class ReferrerQuery
{
    public static async Task<IReadOnlyList<ResourceKey>> FindAsync(
        FhirDbContext db,
        string tenant,
        SearchParameterRegistry registry,
        string targetType,
        string targetId,
        int limit,
        CancellationToken cancellationToken)
    {
        var types = registry.ResourceTypes.Where(Referrers.Counts).ToList();

        // Every reference parameter of each type, whatever its declared targets: a reference of an unexpected type is
        // still indexed under the parameter whose path holds it.
        var keys = types
            .SelectMany(t => registry.For(t)
                .Where(p => p.Type == SearchParamType.Reference)
                .Select(p => p.Name)
                .Append(UnindexedReferences.ParamName)
                .Distinct(StringComparer.Ordinal)
                .Select(name => ParamKeys.Of(tenant, t, name)))
            .ToList();
        var rows = await db.ReferenceIndex.AsNoTracking()
            .Where(x => keys.Contains(x.ParamKey) && x.TargetId == targetId && x.TargetType == targetType)
            .Join(db.Resources, x => x.ResourceSurrogate, r => r.Surrogate, (x, r) => new { r.ResourceType, r.ResourceId })
            // Grouped rather than DISTINCT, so the stable order (a refused delete lists the same referrers every time)
            // applies in the same statement instead of over a derived table.
            .GroupBy(r => new { r.ResourceType, r.ResourceId })
            .Select(g => g.Key)
            .OrderBy(r => r.ResourceType).ThenBy(r => r.ResourceId)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new ResourceKey(r.ResourceType, r.ResourceId))];
    }
}
