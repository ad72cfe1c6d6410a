using System.Collections.Concurrent;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// The compiled subscriptions every commit is matched against, per tenant: loaded on the tenant's first commit (an
/// index seek on the tenant's Subscription rows) and kept until a Subscription of the tenant is written (the commit path
/// calls <see cref="Invalidate"/>), or until <see cref="SubscriptionOptions.RefreshSeconds"/> pass, which is how a replica
/// learns of Subscriptions another replica wrote. A load that raced an invalidation is used once but not kept.
/// </summary>
public sealed class SubscriptionCache(
    ISubscriptionSource source,
    SubscriptionReader reader,
    TimeProvider clock,
    IOptions<SubscriptionOptions> options,
    ILogger<SubscriptionCache> logger)
{
    private readonly ConcurrentDictionary<string, Entry> _tenants = new(StringComparer.Ordinal);

    public ValueTask<SubscriptionSnapshot> GetAsync(string tenant, CancellationToken cancellationToken)
    {
        var entry = _tenants.GetOrAdd(tenant, static _ => new Entry());
        var snapshot = Volatile.Read(ref entry.Snapshot);
        if (snapshot is not null && clock.GetUtcNow() - entry.LoadedAt < TimeSpan.FromSeconds(options.Value.RefreshSeconds))
        {
            return ValueTask.FromResult(snapshot);
        }

        return new ValueTask<SubscriptionSnapshot>(LoadAsync(tenant, entry, cancellationToken));
    }

    /// <summary>A Subscription of the tenant was written: the tenant's next commit reloads.</summary>
    public void Invalidate(string tenant)
    {
        var entry = _tenants.GetOrAdd(tenant, static _ => new Entry());
        Interlocked.Increment(ref entry.Generation);
        Volatile.Write(ref entry.Snapshot, null);
    }

    private async Task<SubscriptionSnapshot> LoadAsync(string tenant, Entry entry, CancellationToken cancellationToken)
    {
        await entry.Loading.WaitAsync(cancellationToken);
        try
        {
            var current = Volatile.Read(ref entry.Snapshot);
            if (current is not null && clock.GetUtcNow() - entry.LoadedAt < TimeSpan.FromSeconds(options.Value.RefreshSeconds))
            {
                return current;
            }

            var generation = Interlocked.Read(ref entry.Generation);
            var loadedAt = clock.GetUtcNow();
            var rows = await source.LoadAsync(tenant, cancellationToken);
            var live = new List<LiveSubscription>(rows.Count);
            foreach (var json in rows)
            {
                try
                {
                    live.Add(reader.Read(tenant, (Subscription)FhirSerialization.ParseStored(json)));
                }
                catch (Errors.FhirOperationException ex)
                {
                    // Stored before a rule it breaks existed: it is left out, never matched, and said once per load.
                    logger.LogWarning("A stored Subscription no longer validates ({Status}); it is not matched", (int)ex.Status);
                }
            }

            var snapshot = new SubscriptionSnapshot(live);
            if (Interlocked.Read(ref entry.Generation) == generation)
            {
                entry.LoadedAt = loadedAt;
                Volatile.Write(ref entry.Snapshot, snapshot);
            }

            return snapshot;
        }
        finally
        {
            entry.Loading.Release();
        }
    }

    /// <remarks>Lives as long as the cache (a singleton), so its semaphore is never disposed.</remarks>
#pragma warning disable CA1001
    private sealed class Entry
#pragma warning restore CA1001
    {
        public readonly SemaphoreSlim Loading = new(1, 1);
        public SubscriptionSnapshot? Snapshot;
        public DateTimeOffset LoadedAt;
        public long Generation;
    }
}
