using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;
using AllianceFhir.Storage.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Storage;

/// <summary>The EF Core implementation of the store port, shared by SQLite and SQL Server.</summary>
public sealed class EfResourceStore(
    FhirDbContext db,
    IOptions<StorageOptions> options,
    SearchParameterRegistry registry,
    TimeProvider clock,
    IVersionReader reader,
    IVersionCommitter committer) : IResourceStore
{
    private readonly string _tenant = options.Value.TenantId;
    private readonly SearchQueryParser _parser = new(registry);

    public Task<ResourceVersion?> ReadCurrentAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        reader.ReadCurrentAsync(resourceType, id, cancellationToken);

    public Task<ResourceVersion?> ReadVersionAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken) =>
        reader.ReadVersionAsync(resourceType, id, versionId, cancellationToken);

    public async Task<IReadOnlyList<ResourceVersion>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        var rows = db.Resources.AsNoTracking().Where(r => r.TenantId == _tenant);
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

    public async Task<IReadOnlyList<ResourceVersion>> FindCurrentAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        int limit,
        CancellationToken cancellationToken)
    {
        var query = _parser.Parse(resourceType, parameters);
        if (query.Ignored.Count > 0)
        {
            var ignored = query.Ignored[0];
            throw FhirOperationException.BadRequest($"The condition uses '{ignored.Name}', which cannot be applied: {ignored.Reason}");
        }

        var result = await SearchAsync(
            SearchRequest.ForType(query with { Count = Math.Clamp(limit, 1, SearchQuery.MaxCount), Sort = [], Includes = [], RevIncludes = [], Total = TotalMode.None, Summary = SummaryMode.False }),
            cancellationToken);
        return result.Matches;
    }

    public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken cancellationToken) =>
        new EfSearchEngine(db, _tenant, clock.GetUtcNow().UtcDateTime).SearchAsync(request, cancellationToken);

    public Task<IReadOnlyList<ResourceKey>> FindReferrersAsync(string resourceType, string id, int limit, CancellationToken cancellationToken) =>
        ReferrerQuery.FindAsync(db, _tenant, registry, resourceType, id, limit, cancellationToken);

    public Task CommitAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) =>
        committer.CommitAsync(writes, cancellationToken);

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
