using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;
using AllianceFhir.Storage.Search;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// The EF Core implementation of the store port, shared by SQLite and SQL Server, bound to one tenant (made by
/// <see cref="EfResourceStoreFactory"/>). The reader and committer serve every tenant and get it with each call. The
/// context is taken from its pool only when a query needs it: reads by id and commits go through the reader and
/// committer, and renting and resetting a pooled context cost a read by id ~2 % of its CPU (docs/performance.md).
/// </summary>
public sealed class EfResourceStore(
    Lazy<FhirDbContext> context,
    SearchParameterRegistry registry,
    TimeProvider clock,
    IVersionReader reader,
    IVersionCommitter committer,
    string tenant) : IResourceStore
{
    private readonly TenantRows _rows = new(tenant);

    public EfResourceStore(FhirDbContext db, SearchParameterRegistry registry, TimeProvider clock, IVersionReader reader, IVersionCommitter committer, string tenant)
        : this(new Lazy<FhirDbContext>(db), registry, clock, reader, committer, tenant)
    {
    }

    public string Tenant => tenant;

    /// <summary>The tenant's own resource, else (for definitional types) the catalog's: own rows win on a clash.</summary>
    public async Task<ResourceVersion?> ReadCurrentAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        AuditEventSearch.IsVirtual(resourceType) ? await Audits.ReadAsync(id, cancellationToken) :
        await reader.ReadCurrentAsync(tenant, resourceType, id, cancellationToken)
        ?? (Tenants.SeesCatalog(tenant, resourceType) ? await reader.ReadCurrentAsync(Tenants.Catalog, resourceType, id, cancellationToken) : null);

    public async Task<ResourceVersion?> ReadVersionAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken)
    {
        if (AuditEventSearch.IsVirtual(resourceType))
        {
            return await Audits.ReadVersionAsync(id, versionId, cancellationToken);
        }

        // A version of the catalog's resource only when the tenant has no resource of that id at all, so versions of
        // two resources are never mixed.
        var own = await reader.ReadVersionAsync(tenant, resourceType, id, versionId, cancellationToken);
        if (own is not null || !Tenants.SeesCatalog(tenant, resourceType)
            || await reader.ReadCurrentAsync(tenant, resourceType, id, cancellationToken) is not null)
        {
            return own;
        }

        return await reader.ReadVersionAsync(Tenants.Catalog, resourceType, id, versionId, cancellationToken);
    }

    public async Task<IReadOnlyList<ResourceVersion>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        if (AuditEventSearch.IsVirtual(query.ResourceType))
        {
            return await Audits.HistoryAsync(query, cancellationToken);
        }

        // System-level history is the tenant's own changes (AuditEvents, kept apart, are not among them); a type or instance history of a definitional type also
        // shows the catalog's, as reads of them do.
        var rows = Db.Resources.AsNoTracking().Where(_rows.Resources(query.ResourceType is null ? [] : [query.ResourceType]));
        if (query.ResourceType is not null)
        {
            rows = rows.Where(r => r.ResourceType == query.ResourceType);
        }

        if (query.Id is not null)
        {
            rows = rows.Where(r => r.ResourceId == query.Id);
        }

        if (query.Since is DateTimeOffset since)
        {
            var sinceUtc = since.UtcDateTime;
            rows = rows.Where(r => r.LastUpdated >= sinceUtc);
        }

        if (query.Before is long before)
        {
            rows = rows.Where(r => r.Surrogate < before);
        }

        // Write order is lastUpdated order (the stamp is taken just before the insert), and the key is unique, so
        // pages never overlap or skip.
        var list = await rows
            .OrderByDescending(r => r.Surrogate)
            .Take(query.Count)
            .ToListAsync(cancellationToken);
        return [.. list.Select(ToVersion)];
    }

    public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken cancellationToken) =>
        request.ResourceTypes is [var only] && AuditEventSearch.IsVirtual(only)
            ? Audits.SearchAsync(request, cancellationToken)
            : new EfSearchEngine(Db, _rows, clock.GetUtcNow().UtcDateTime).SearchAsync(request, cancellationToken);

    public Task<IReadOnlyList<ResourceKey>> FindReferrersAsync(string resourceType, string id, int limit, CancellationToken cancellationToken) =>
        ReferrerQuery.FindAsync(Db, tenant, registry, resourceType, id, limit, cancellationToken);

    public Task CommitAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) =>
        committer.CommitAsync(tenant, writes, cancellationToken);

    public Task AppendAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) =>
        committer.AppendAsync(tenant, writes, cancellationToken);

    /// <summary>AuditEvent is a virtual type, kept in its own narrow table (<see cref="AuditEventStore"/>).</summary>
    private FhirDbContext Db => context.Value;

    private AuditEventStore Audits => new(Db, tenant, clock.GetUtcNow().UtcDateTime);

    internal static ResourceVersion ToVersion(ResourceEntity row) =>
        new(
            row.ResourceType,
            row.ResourceId,
            row.VersionId,
            new DateTimeOffset(row.LastUpdated, TimeSpan.Zero),
            row.IsDeleted,
            row.Json,
            row.Method,
            row.Surrogate);
}
