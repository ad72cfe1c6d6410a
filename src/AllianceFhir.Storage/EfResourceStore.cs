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
    WriteGate writeGate) : IResourceStore
{
    private readonly string _tenant = options.Value.TenantId;
    private readonly SearchQueryParser _parser = new(registry);

    public async Task<ResourceVersion?> ReadCurrentAsync(string resourceType, string id, CancellationToken cancellationToken)
    {
        var row = await db.Resources.AsNoTracking()
            .Where(r => r.TenantId == _tenant && r.ResourceType == resourceType && r.ResourceId == id && !r.IsHistory)
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToVersion(row);
    }

    public async Task<ResourceVersion?> ReadVersionAsync(
        string resourceType,
        string id,
        int versionId,
        CancellationToken cancellationToken)
    {
        var row = await db.Resources.AsNoTracking()
            .Where(r => r.TenantId == _tenant && r.ResourceType == resourceType && r.ResourceId == id && r.VersionId == versionId)
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToVersion(row);
    }

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

    public async Task CommitAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken)
    {
        // One transaction for the whole commit. On SQLite, Microsoft.Data.Sqlite begins it IMMEDIATE, so writers
        // queue instead of failing half-way; on SQL Server the guarded UPDATE below takes the row lock.
        using var lease = await writeGate.EnterAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var versions = new List<(ResourceEntity Entity, ResourceWrite Write)>(writes.Count);
            foreach (var write in writes)
            {
                await RetirePreviousVersionAsync(write, cancellationToken);
                var entity = new ResourceEntity
                {
                    TenantId = _tenant,
                    ResourceType = write.ResourceType,
                    ResourceId = write.Id,
                    VersionId = write.VersionId,
                    IsHistory = false,
                    IsDeleted = write.IsDeleted,
                    LastUpdated = write.LastUpdated.UtcDateTime,
                    Method = write.Method,
                    Json = write.Json,
                };
                db.Resources.Add(entity);
                versions.Add((entity, write));
            }

            // The version rows first (their keys are generated), then every index row pointing at them.
            await db.SaveChangesAsync(cancellationToken);
            var indexRows = new List<SearchIndexEntity>();
            foreach (var (entity, write) in versions)
            {
                foreach (var row in IndexRowMapper.ToRows(entity, write.Index))
                {
                    row.ResourceSurrogate = entity.Surrogate;
                    indexRows.Add(row);
                }
            }

            await IndexRowWriter.InsertAsync(db, indexRows, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (UniqueViolation.Is(ex))
        {
            await transaction.RollbackAsync(CancellationToken.None);
            var first = writes[0];

            // The unique (type, id, version) and (type, id) current-row indexes are what turn a lost race into this.
            throw new VersionConflictException(first.ResourceType, first.Id, first.VersionId, ex);
        }
        catch
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Moves the current version to history only if it is the version this write follows: a compare-and-set in one
    /// statement, so a writer that read an older version finds nothing to retire and loses.
    /// </summary>
    private async Task RetirePreviousVersionAsync(ResourceWrite write, CancellationToken cancellationToken)
    {
        var previous = write.VersionId - 1;
        if (previous == 0)
        {
            return;
        }

        var current = await db.Resources
            .Where(r => r.TenantId == _tenant && r.ResourceType == write.ResourceType && r.ResourceId == write.Id && !r.IsHistory)
            .Select(r => new { r.Surrogate, r.VersionId })
            .FirstOrDefaultAsync(cancellationToken);
        if (current is null)
        {
            // Nothing current: only acceptable when this id has never been written (a client-chosen id on update-as-create).
            return;
        }

        var retired = await db.Resources
            .Where(r => r.Surrogate == current.Surrogate && r.VersionId == previous && !r.IsHistory)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.IsHistory, true), cancellationToken);
        if (retired != 1)
        {
            throw new VersionConflictException(write.ResourceType, write.Id, write.VersionId);
        }

        await SearchIndexRows.DeleteForAsync(db, current.Surrogate, cancellationToken);
    }

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
