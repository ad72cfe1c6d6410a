using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// What a store asks of every commit it makes (REST writes, Bundles, import batches, the server's own appends): the
/// notifications to write into the outbox in the same transaction, and, once committed, a word that it happened.
/// </summary>
public interface ICommitObserver
{
    /// <summary>Runs before the commit is queued, on the writer's thread; never blocks on delivery.</summary>
    ValueTask<IReadOnlyList<OutboxEntry>> MatchAsync(string tenant, IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken);

    /// <summary>The commit (with <paramref name="notifications"/>) is durable.</summary>
    void Committed(string tenant, IReadOnlyList<ResourceWrite> writes, IReadOnlyList<OutboxEntry> notifications);
}
