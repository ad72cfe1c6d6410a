using AllianceFhir.Storage.Entities;

namespace AllianceFhir.Storage;

/// <summary>
/// Equality matching of search parameters against the index tables (token <c>[system|]code</c>, uri/canonical
/// <c>url[|version]</c>, reference <c>[Type/]id</c> or URL, exact string), enough for conditional interactions and
/// write hooks. Each parameter is AND-ed; a parameter matches when any index table has a matching row.
/// </summary>
internal static class SimpleCriteria
{
    public static IQueryable<ResourceEntity> Apply(
        FhirDbContext db,
        string tenant,
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var rows = db.Resources.Where(r => r.TenantId == tenant && r.ResourceType == resourceType && !r.IsHistory && !r.IsDeleted);
        foreach (var (name, value) in parameters)
        {
            rows = name == "_id" ? rows.Where(r => r.ResourceId == value) : ApplyOne(db, rows, tenant, resourceType, name, value);
        }

        return rows;
    }

    private static IQueryable<ResourceEntity> ApplyOne(
        FhirDbContext db,
        IQueryable<ResourceEntity> rows,
        string tenant,
        string type,
        string name,
        string value)
    {
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        string? system = bar < 0 ? null : value[..bar];
        var code = bar < 0 ? value : value[(bar + 1)..];
        var noSystem = system is { Length: 0 };

        var slash = value.LastIndexOf('/');
        string? targetType = slash < 0 ? null : value[..slash];
        var targetId = slash < 0 ? value : value[(slash + 1)..];

        var tokens = db.TokenIndex.Where(t => t.TenantId == tenant && t.ResourceType == type && t.ParamName == name && t.Code == code
            && (system == null || (noSystem ? t.System == null : t.System == system)))
            .Select(t => t.ResourceSurrogate);
        var uris = db.UriIndex.Where(u => u.TenantId == tenant && u.ResourceType == type && u.ParamName == name
            && ((u.Uri == value) || (system != null && u.Uri == system && u.Version == code)))
            .Select(u => u.ResourceSurrogate);
        var references = db.ReferenceIndex.Where(f => f.TenantId == tenant && f.ResourceType == type && f.ParamName == name
            && ((f.TargetId == targetId && (targetType == null || f.TargetType == targetType))
                || f.Url == value
                || (system != null && f.Url == system && f.Version == code)))
            .Select(f => f.ResourceSurrogate);
        var strings = db.StringIndex.Where(s => s.TenantId == tenant && s.ResourceType == type && s.ParamName == name && s.Exact == value)
            .Select(s => s.ResourceSurrogate);

        return rows.Where(r => tokens.Contains(r.Surrogate) || uris.Contains(r.Surrogate)
            || references.Contains(r.Surrogate) || strings.Contains(r.Surrogate));
    }
}
