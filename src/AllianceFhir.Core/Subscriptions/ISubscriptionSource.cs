namespace AllianceFhir.Core.Subscriptions;

/// <summary>A tenant's current, not deleted Subscription resources, as stored JSON: what the cache compiles.</summary>
public interface ISubscriptionSource
{
    Task<IReadOnlyList<string>> LoadAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>The tenants that have at least one current Subscription (read when a dispatcher takes the lease).</summary>
    Task<IReadOnlyList<string>> TenantsAsync(CancellationToken cancellationToken);
}
