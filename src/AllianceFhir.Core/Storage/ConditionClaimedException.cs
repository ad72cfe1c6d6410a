namespace AllianceFhir.Core.Storage;

/// <summary>
/// Thrown by a store when a write's <see cref="ConditionClaim"/> lost: another writer holds the condition. Nothing of
/// the commit is stored. By the time this is thrown the holder's commit is visible, so the writer searches again.
/// </summary>
public sealed class ConditionClaimedException : Exception
{
    public ConditionClaimedException(string resourceType, string id, string condition, string? owner, Exception? inner = null)
        : base($"Another writer holds the condition the write of {resourceType}/{id} claimed", inner)
    {
        ResourceType = resourceType;
        Id = id;
        Condition = condition;
        Owner = owner;
    }

    public string ResourceType { get; }

    /// <summary>The id of the write that lost.</summary>
    public string Id { get; }

    public string Condition { get; }

    /// <summary>The resource the condition's row names now; what a retry that finds no match may replace.</summary>
    public string? Owner { get; }
}
