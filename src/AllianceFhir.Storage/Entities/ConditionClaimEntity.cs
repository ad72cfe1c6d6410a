namespace AllianceFhir.Storage.Entities;

/// <summary>
/// The resource a conditional write created for a condition (<see cref="Core.Storage.ConditionClaim"/>). The key is
/// unique, so of racing conditional writers with the same condition only one commits.
/// </summary>
public sealed class ConditionClaimEntity
{
    public required string TenantId { get; set; }

    public required string ResourceType { get; set; }

    /// <summary>SHA-256 of the canonical condition (<see cref="ConditionHash"/>): bounded for the key, and no copy of identifiers.</summary>
    public required string ConditionHash { get; set; }

    public required string ResourceId { get; set; }
}
