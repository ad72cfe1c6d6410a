using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Storage;

/// <summary>
/// The persistence port. Implementations keep one row per version and write all of a commit atomically. A store is
/// bound to one tenant (<see cref="IResourceStoreFactory"/>): every call reads and writes that tenant's rows only, plus,
/// for reads of definitional types, the shared catalog's (<see cref="Tenants.SeesCatalog"/>); a tenant's own resource
/// wins over a catalog one of the same id.
/// </summary>
public interface IResourceStore
{
    /// <summary>The tenant whose rows this store reads and writes.</summary>
    string Tenant { get; }

    /// <summary>The current version (which may record a delete), or null when the resource never existed.</summary>
    Task<ResourceVersion?> ReadCurrentAsync(string resourceType, string id, CancellationToken cancellationToken);

    Task<ResourceVersion?> ReadVersionAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ResourceVersion>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// One page of a FHIR search over current, not deleted resources, with keyset continuation. The search arrives
    /// parsed (<see cref="SearchQueryParser"/> in Core, through <see cref="SearchService"/>): a store translates criteria,
    /// it never reads search text. Conditional interactions and hook lookups come here too, with a page of their limit.
    /// </summary>
    /// <exception cref="Errors.FhirOperationException">400 when the cursor is not one this query produced.</exception>
    Task<SearchResult> SearchAsync(SearchRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Current, not deleted resources whose reference index holds a local reference to <paramref name="resourceType"/>/<paramref name="id"/>
    /// (any version of it), of the types <see cref="References.Referrers.Counts"/> counts, at most <paramref name="limit"/> of them, in no particular order. The index holds every local
    /// reference of a resource, not only those on search-parameter paths (see <see cref="References.UnindexedReferences"/>).
    /// </summary>
    Task<IReadOnlyList<ResourceKey>> FindReferrersAsync(string resourceType, string id, int limit, CancellationToken cancellationToken);

    /// <summary>Persists every write in one database transaction, or none of them.</summary>
    /// <exception cref="VersionConflictException">Another writer got there first.</exception>
    /// <exception cref="ConditionClaimedException">A write's <see cref="ResourceWrite.Claim"/> is held by another resource.</exception>
    Task CommitAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken);

    /// <summary>
    /// Persists a batch of new resources (version 1, no condition claims) that nothing else writes, such as the server's
    /// own AuditEvents, all or nothing. A store may write such a batch more cheaply than <see cref="CommitAsync"/> (the
    /// SQLite store: in a transaction of its own, without savepoints); by default it is a commit.
    /// </summary>
    Task AppendAsync(IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) => CommitAsync(writes, cancellationToken);
}
