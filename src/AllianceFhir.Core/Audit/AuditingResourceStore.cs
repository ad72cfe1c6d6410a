using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// The store as an audited request sees it: every commit carries the request's AuditEvent in the same database
/// transaction (so a write is never stored without its audit, nor an audit of a write that did not happen), and the
/// resources the request reads by id tell it which patient the request touched. Outside an audited request (start-up
/// seeding, the background audit writer) it only passes calls on.
/// </summary>
public sealed class AuditingResourceStore(IResourceStore inner, AuditScope scope) : IResourceStore
{
    /// <summary>The tenant of the wrapped store: a request's AuditEvent is written with its write, in the caller's tenant.</summary>
    public string Tenant => inner.Tenant;

    public async Task<ResourceVersion?> ReadCurrentAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        Note(await inner.ReadCurrentAsync(resourceType, id, cancellationToken));

    public async Task<ResourceVersion?> ReadVersionAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken) =>
        Note(await inner.ReadVersionAsync(resourceType, id, versionId, cancellationToken));

    public async Task<IReadOnlyList<ResourceVersion>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        var versions = await inner.HistoryAsync(query, cancellationToken);
        if (query.Id is not null && versions.Count > 0)
        {
            Note(versions[0]);
        }

        return versions;
    }

    public Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken cancellationToken) =>
        inner.SearchAsync(request, cancellationToken);

    public Task<IReadOnlyList<ResourceKey>> FindReferrersAsync(string resourceType, string id, int limit, CancellationToken cancellationToken) =>
        inner.FindReferrersAsync(resourceType, id, limit, cancellationToken);

    public async Task CommitAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken)
    {
        if (scope.Request is null || writes.Count == 0)
        {
            await inner.CommitAsync(writes, cancellationToken);
            return;
        }

        // Every version this commit makes (hook-derived ones too) is an entity of the event; it records success,
        // because it is stored only if the write is.
        var entities = writes.Select(w => $"{w.ResourceType}/{w.Id}/_history/{w.VersionId}").ToList();
        var patients = writes.Select(w => AuditSubject.PatientOf(w.ResourceType, w.Id, w.Json)).OfType<string>();
        var now = writes[0].LastUpdated;
        await inner.CommitAsync([.. writes, AuditEventFactory.ToWrite(scope.ToRecord(now, 200, entities, patients), now)], cancellationToken);
        scope.NoteCommitted();
    }

    /// <summary>The patient of a resource the request names by id (read, vread, history, update, delete of it).</summary>
    private ResourceVersion? Note(ResourceVersion? version)
    {
        if (version is not null
            && scope.Request is { } request
            && request.ResourceType == version.ResourceType
            && request.Id == version.Id)
        {
            scope.NotePatient(AuditSubject.PatientOf(version.ResourceType, version.Id, version.Json));
        }

        return version;
    }
}
