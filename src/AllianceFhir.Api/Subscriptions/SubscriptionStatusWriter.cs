using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Subscriptions;

/// <summary>
/// The server's own changes of a Subscription's status (active after a handshake, error after failed deliveries): a new
/// version written straight to the subscription's tenant store, not through the client write rules, and only while the
/// stored version is still the one the change was decided on, so a client's concurrent PUT always wins.
/// </summary>
public sealed class SubscriptionStatusWriter(IResourceStoreFactory stores, ISearchIndexer indexer, TimeProvider clock)
{
    /// <param name="onlyFrom">The status the stored version must have for the change to apply.</param>
    /// <param name="onlyVersion">The version the stored one must be, or null for any.</param>
    public async Task<bool> SetAsync(
        string tenant,
        string id,
        Subscription.SubscriptionStatus onlyFrom,
        int? onlyVersion,
        Subscription.SubscriptionStatus status,
        string? error,
        CancellationToken cancellationToken)
    {
        var store = stores.ForTenant(tenant);
        var current = await store.ReadCurrentAsync(nameof(Subscription), id, cancellationToken);
        if (current is null || current.IsDeleted || (onlyVersion is { } version && current.VersionId != version)
            || current.ToResource() is not Subscription subscription || subscription.Status != onlyFrom)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        subscription.Status = status;
        subscription.Error = error;
        subscription.Meta ??= new Meta();
        subscription.Meta.VersionId = (current.VersionId + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        subscription.Meta.LastUpdated = now;
        var write = new ResourceWrite(
            nameof(Subscription),
            id,
            current.VersionId + 1,
            now,
            IsDeleted: false,
            FhirSerialization.ToStoredJson(subscription),
            "PUT",
            indexer.Extract(subscription));
        try
        {
            await store.CommitAsync([write], cancellationToken);
            return true;
        }
        catch (VersionConflictException)
        {
            // A client wrote the Subscription meanwhile; its version decides what happens next.
            return false;
        }
    }
}
