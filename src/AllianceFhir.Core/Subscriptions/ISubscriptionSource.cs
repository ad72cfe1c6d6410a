namespace AllianceFhir.Core.Subscriptions;

/// <summary>A tenant's current, not deleted Subscription resources, as stored JSON: what the cache compiles.</summary>
public interface ISubscriptionSource
{
    Task<IReadOnlyList<string>> LoadAsync(string tenant, CancellationToken cancellationToken);
}
