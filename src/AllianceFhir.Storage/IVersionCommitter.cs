using AllianceFhir.Core.Storage;

namespace AllianceFhir.Storage;

/// <summary>
/// Makes a list of new versions durable, all or nothing: each previous version retired by compare-and-set, the new
/// version rows inserted, and their search-index rows replaced. A lost race is a <see cref="VersionConflictException"/>.
/// Shared by every tenant (the SQLite one is a singleton), so the tenant comes with each commit.
/// </summary>
public interface IVersionCommitter
{
    Task CommitAsync(string tenant, IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken);

    /// <summary>New resources only (version 1, no claims), all or nothing: see <see cref="IResourceStore.AppendAsync"/>.</summary>
    Task AppendAsync(string tenant, IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken) => CommitAsync(tenant, writes, cancellationToken);
}
