using AllianceFhir.Core.Search;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// `_include` / `_revinclude` (and their `:iterate` forms) over the reference index: a handful of set-based queries
/// per round, never one query per resource. Canonical references (QuestionnaireResponse.questionnaire) are followed
/// through the target's `url` (and `version`) index rows.
/// </summary>
internal sealed class IncludeLoader(FhirDbContext db, TenantRows tenant)
{
    /// <summary>`:iterate` stops after this many rounds even if the graph goes on (R4 lets servers limit iteration).</summary>
    private const int MaxRounds = 4;

    /// <summary>Cap on included resources per page, so one page cannot pull in a whole database.</summary>
    private const int MaxIncluded = 1000;

    /// <summary>The search parameter that holds a definitional resource's canonical url.</summary>
    private const string UrlParameter = "url";

    public async Task<List<ResourceEntity>> LoadAsync(SearchQuery query, IReadOnlyList<ResourceEntity> matches, CancellationToken ct)
    {
        var seen = matches.Select(m => m.Surrogate).ToHashSet();
        var included = new List<ResourceEntity>();
        IReadOnlyList<ResourceEntity> current = matches;
        for (var round = 0; round < MaxRounds && current.Count > 0 && included.Count < MaxIncluded; round++)
        {
            var found = new List<ResourceEntity>();
            foreach (var spec in query.Includes.Where(s => round == 0 || s.Iterate))
            {
                found.AddRange(await ForwardAsync(spec, current, ct));
            }

            foreach (var spec in query.RevIncludes.Where(s => round == 0 || s.Iterate))
            {
                found.AddRange(await ReverseAsync(spec, current, ct));
            }

            var fresh = found.Where(f => seen.Add(f.Surrogate)).Take(MaxIncluded - included.Count).ToList();
            included.AddRange(fresh);
            current = fresh;
        }

        return included;
    }

    private async Task<List<ResourceEntity>> ForwardAsync(IncludeSpec spec, IReadOnlyList<ResourceEntity> from, CancellationToken ct)
    {
        var sources = from.Where(r => r.ResourceType == spec.SourceType).Select(r => r.Surrogate).ToList();
        if (sources.Count == 0)
        {
            return [];
        }

        var name = spec.Parameter.Name;
        var references = await db.ReferenceIndex.AsNoTracking()
            .Where(x => sources.Contains(x.ResourceSurrogate) && x.ParamName == name)
            .Select(x => new { x.TargetType, x.TargetId, x.Url, x.Version })
            .ToListAsync(ct);

        var result = new List<ResourceEntity>();
        foreach (var byType in references.Where(x => x.TargetId is not null && x.TargetType is not null && (spec.TargetType is null || x.TargetType == spec.TargetType))
                     .GroupBy(x => x.TargetType!))
        {
            var type = byType.Key;
            var ids = byType.Select(x => x.TargetId!).Distinct().ToList();
            result.AddRange(await Current([type]).Where(r => r.ResourceType == type && ids.Contains(r.ResourceId)).ToListAsync(ct));
        }

        var targetTypes = spec.TargetType is null ? spec.Parameter.Targets : [spec.TargetType];
        foreach (var canonical in references.Where(x => x.Url is not null).Select(x => (Url: x.Url!, x.Version)).Distinct())
        {
            result.AddRange(await ByCanonicalAsync(targetTypes, canonical.Url, canonical.Version, ct));
        }

        return result;
    }

    private async Task<List<ResourceEntity>> ReverseAsync(IncludeSpec spec, IReadOnlyList<ResourceEntity> to, CancellationToken ct)
    {
        var (sourceType, name) = (spec.SourceType, spec.Parameter.Name);
        var result = new List<ResourceEntity>();
        var targets = to.Where(r => spec.TargetType is null ? spec.Parameter.Targets.Contains(r.ResourceType) : r.ResourceType == spec.TargetType);
        foreach (var byType in targets.GroupBy(r => r.ResourceType))
        {
            var type = byType.Key;
            var ids = byType.Select(r => r.ResourceId).ToList();
            var surrogates = byType.Select(r => r.Surrogate).ToList();
            var sourceRows = tenant.Param<ReferenceIndexEntity>([sourceType], name);
            var byId = db.ReferenceIndex.Where(sourceRows).Where(x => x.TargetType == type && ids.Contains(x.TargetId!)).Select(x => x.ResourceSurrogate);

            // Canonical references point at the target's url (any version, or the one they name).
            var urls = db.UriIndex.Where(u => surrogates.Contains(u.ResourceSurrogate) && u.ParamName == UrlParameter).Select(u => u.Uri);
            var byUrl = db.ReferenceIndex.Where(sourceRows).Where(x => urls.Contains(x.Url!)).Select(x => x.ResourceSurrogate);
            result.AddRange(await Current([sourceType]).Where(r => byId.Contains(r.Surrogate) || byUrl.Contains(r.Surrogate)).ToListAsync(ct));
        }

        return result;
    }

    private async Task<List<ResourceEntity>> ByCanonicalAsync(IReadOnlyList<string> types, string url, string? version, CancellationToken ct)
    {
        var withUrl = db.UriIndex.Where(tenant.Param<UriIndexEntity>(types, UrlParameter)).Where(u => u.Uri == url).Select(u => u.ResourceSurrogate);
        var rows = Current(types).Where(r => withUrl.Contains(r.Surrogate));
        if (version is not null)
        {
            rows = rows.Where(r => db.TokenIndex.Any(t => t.ResourceSurrogate == r.Surrogate && t.ParamName == "version" && t.Code == version));
        }

        return await rows.ToListAsync(ct);
    }

    /// <summary>Current rows the tenant sees of these types: its own, and the catalog's for definitional types.</summary>
    private IQueryable<ResourceEntity> Current(IReadOnlyList<string> types) =>
        db.Resources.AsNoTracking().Where(tenant.Resources(types)).Where(r => !r.IsHistory && !r.IsDeleted);
}
