namespace AllianceFhir.Storage.Entities;

/// <summary>
/// One notification (<see cref="Core.Subscriptions.OutboxEntry"/>), inserted in the transaction of the commit that caused
/// it. <see cref="Sequence"/> is the commit order; a row stays after delivery, with its event number, for <c>$status</c>.
/// </summary>
public sealed class SubscriptionOutboxEntity
{
    public long Sequence { get; set; }

    public required string TenantId { get; set; }

    public required string SubscriptionId { get; set; }

    /// <summary>The <see cref="Core.Subscriptions.OutboxKind"/> name.</summary>
    public required string Kind { get; set; }

    public string? ResourceType { get; set; }

    public string? ResourceId { get; set; }

    public int VersionId { get; set; }

    /// <summary>Backport additional context: <c>Type/id/_history/v</c> references joined by spaces.</summary>
    public string? Context { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    public long? EventNumber { get; set; }

    public int Attempts { get; set; }

    /// <summary>Why the last attempt failed (a status code or exception type); never holds resource data.</summary>
    public string? LastError { get; set; }
}
