namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// The outbox as the dispatcher works it. Rows are written by the stores' commits (<see cref="ICommitObserver"/>); here
/// they are read in commit order per subscription and marked delivered only after the receiver accepted them, so a
/// crash re-sends at most the notification that was in flight. The dispatcher lease keeps replicas from sending twice.
/// </summary>
public interface ISubscriptionOutbox
{
    /// <summary>Takes or renews the one dispatcher lease; false while another owner holds it.</summary>
    Task<bool> HoldLeaseAsync(string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Ends this owner's lease now, so another instance takes over at once.</summary>
    Task ReleaseLeaseAsync(string owner, CancellationToken cancellationToken);

    /// <summary>The subscriptions with undelivered rows.</summary>
    Task<IReadOnlyList<(string Tenant, string SubscriptionId)>> PendingSubscriptionsAsync(CancellationToken cancellationToken);

    /// <summary>The oldest undelivered row of the subscription, of the given kind (any kind when null).</summary>
    Task<PendingNotification?> NextAsync(string tenant, string subscriptionId, OutboxKind? kind, CancellationToken cancellationToken);

    /// <summary>The row's event number, assigned on first delivery as one more than the subscription's last (kept across re-sends).</summary>
    Task<long> NumberAsync(PendingNotification notification, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(long sequence, CancellationToken cancellationToken);

    Task RecordFailureAsync(long sequence, string reason, CancellationToken cancellationToken);

    /// <summary>Events numbered for the subscription so far (backport <c>events-since-subscription-start</c>).</summary>
    Task<long> EventCountAsync(string tenant, string subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes at most <paramref name="limit"/> rows delivered before <paramref name="deliveredBefore"/>, oldest first.
    /// Undelivered rows are never deleted, nor each subscription's highest numbered row, which carries its event count.
    /// </summary>
    /// <returns>How many rows were deleted.</returns>
    Task<int> PurgeDeliveredAsync(DateTimeOffset deliveredBefore, int limit, CancellationToken cancellationToken);
}
