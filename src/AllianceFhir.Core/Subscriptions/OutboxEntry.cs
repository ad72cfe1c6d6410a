namespace AllianceFhir.Core.Subscriptions;

/// <summary>What an outbox row is for.</summary>
public enum OutboxKind
{
    /// <summary>A committed version matched the subscription.</summary>
    Event,

    /// <summary>The subscription was written with status <c>requested</c>: check the endpoint, then activate it.</summary>
    Handshake,

    /// <summary>A backport heartbeat: nothing happened for the subscription's heartbeat period.</summary>
    Heartbeat,
}

/// <summary>
/// One notification to deliver, written into the outbox in the same database transaction as the version that caused it.
/// The payload is not copied: the version it names is immutable and read at delivery time.
/// </summary>
/// <param name="Context">Backport additional context (the score Observations of a completed response), as <c>Type/id/_history/v</c> joined by spaces.</param>
public sealed record OutboxEntry(
    string Tenant,
    string SubscriptionId,
    OutboxKind Kind,
    string? ResourceType,
    string? ResourceId,
    int VersionId,
    string? Context = null);

/// <summary>An outbox row as the dispatcher reads it back.</summary>
public sealed record PendingNotification(
    long Sequence,
    OutboxEntry Entry,
    DateTimeOffset CreatedAt,
    long? EventNumber,
    int Attempts);
