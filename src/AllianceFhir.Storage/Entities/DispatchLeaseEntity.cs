namespace AllianceFhir.Storage.Entities;

/// <summary>A named lease on background work that only one instance may do at a time (the subscription dispatcher).</summary>
public sealed class DispatchLeaseEntity
{
    public required string Name { get; set; }

    public required string Owner { get; set; }

    /// <summary>UTC; after it, another instance may take the lease.</summary>
    public DateTime Until { get; set; }
}
