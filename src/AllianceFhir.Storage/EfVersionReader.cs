using AllianceFhir.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>Reads by id through EF, on the request's context (SQL Server).</summary>
public sealed class EfVersionReader(FhirDbContext db) : IVersionReader
{
    public async Task<ResourceVersion?> ReadCurrentAsync(string tenant, string resourceType, string id, CancellationToken cancellationToken)
    {
        var row = await db.Resources.AsNoTracking()
            .Where(r => r.TenantId == tenant && r.ResourceType == resourceType && r.ResourceId == id && !r.IsHistory)
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : EfResourceStore.ToVersion(row);
    }

    public async Task<ResourceVersion?> ReadVersionAsync(string tenant, string resourceType, string id, int versionId, CancellationToken cancellationToken)
    {
        var row = await db.Resources.AsNoTracking()
            .Where(r => r.TenantId == tenant && r.ResourceType == resourceType && r.ResourceId == id && r.VersionId == versionId)
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : EfResourceStore.ToVersion(row);
    }
}
