using System.Collections.Concurrent;
using AllianceFhir.Api.Configuration;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Subscriptions;

/// <summary>
/// Delivers the outbox. One instance at a time holds the dispatcher lease (renewed every poll); it walks each
/// subscription's undelivered rows in commit order, one request in flight per subscription, several subscriptions side by
/// side, so a slow receiver delays only its own notifications and never a write. A row is marked delivered only after
/// the receiver's 2xx: a crash re-sends at most the row that was in flight. A notification that still fails once the
/// sender's retries are spent puts the subscription in error (with the reason) and stays pending; a client's PUT back
/// to requested runs a new handshake, and delivery resumes from that row.
/// </summary>
public sealed class SubscriptionDispatcher(
    IServiceScopeFactory scopes,
    SubscriptionCache cache,
    ISubscriptionSource source,
    NotificationSignal signal,
    NotificationSender sender,
    TimeProvider clock,
    IOptions<SubscriptionOptions> options,
    IOptions<FhirServerOptions> server,
    ILogger<SubscriptionDispatcher> logger) : BackgroundService
{
    /// <summary>Unique per process start (the lease column holds 64 characters).</summary>
    private readonly string _owner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<(string Tenant, string Id), Task> _running = new();
    private readonly ConcurrentDictionary<(string Tenant, string Id), DateTimeOffset> _lastSent = new();
    private DateTimeOffset _nextPurge = DateTimeOffset.MinValue;
    private bool _heartbeatsKnown;

    private string BaseUrl => server.Value.PublicBaseUrl is { Length: > 0 } configured ? configured.TrimEnd('/') : "http://localhost/fhir";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.DispatcherEnabled)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await DispatchAsync(settings, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    logger.LogError("Subscription dispatcher failed with {Exception}; it tries again", ex.GetType().Name);
                }

                try
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(settings.PollMilliseconds), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            await Task.WhenAll(_running.Values).ContinueWith(_ => { }, TaskScheduler.Default);
            await ReleaseLeaseAsync();
        }
    }

    private async Task DispatchAsync(SubscriptionOptions settings, CancellationToken stoppingToken)
    {
        IReadOnlyList<(string Tenant, string SubscriptionId)> pending;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<ISubscriptionOutbox>();
            if (!await outbox.HoldLeaseAsync(_owner, TimeSpan.FromSeconds(settings.LeaseSeconds), stoppingToken))
            {
                // Whoever holds the lease sends the heartbeats; should it come back here, the subscriptions are looked up again.
                _heartbeatsKnown = false;
                return;
            }

            pending = await outbox.PendingSubscriptionsAsync(stoppingToken);
        }

        foreach (var key in pending)
        {
            if (_running.Count >= settings.MaxParallelSubscriptions)
            {
                break;
            }

            if (_running.ContainsKey(key))
            {
                continue;
            }

            var run = Task.Run(() => RunSubscriptionAsync(key.Tenant, key.SubscriptionId, stoppingToken), CancellationToken.None);
            if (_running.TryAdd(key, run))
            {
                _ = run.ContinueWith(_ => _running.TryRemove(key, out var _1), TaskScheduler.Default);
            }
        }

        if (!_heartbeatsKnown)
        {
            await DiscoverHeartbeatsAsync(stoppingToken);
        }

        await SendHeartbeatsAsync(pending, stoppingToken);
        await PurgeAsync(settings, stoppingToken);
    }

    /// <summary>
    /// On taking the lease (a start, a restart, a takeover from another replica), every active topic subscription with a
    /// heartbeat period gets its clock started now, so heartbeats go on within one period without waiting for a
    /// notification. Subscriptions written later come through their handshake, which starts their clock.
    /// </summary>
    private async Task DiscoverHeartbeatsAsync(CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        foreach (var tenant in await source.TenantsAsync(stoppingToken))
        {
            foreach (var subscription in (await cache.GetAsync(tenant, stoppingToken)).All)
            {
                if (subscription is { IsTopic: true, Status: Subscription.SubscriptionStatus.Active, Heartbeat: not null })
                {
                    _lastSent.TryAdd((tenant, subscription.Id), now);
                }
            }
        }

        _heartbeatsKnown = true;
    }

    /// <summary>Delivers one subscription's rows in order until none is left or delivery has to wait.</summary>
    private async Task RunSubscriptionAsync(string tenant, string id, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await using var scope = scopes.CreateAsyncScope();
                var services = scope.ServiceProvider;
                var outbox = services.GetRequiredService<ISubscriptionOutbox>();
                var subscription = (await cache.GetAsync(tenant, stoppingToken)).Find(id);
                if (!await DeliverNextAsync(services, outbox, subscription, tenant, id, stoppingToken))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the row in flight stays undelivered and is sent again after the restart.
        }
        catch (Exception ex)
        {
            logger.LogError("Delivery to a subscription failed with {Exception}; it is tried again at the next poll", ex.GetType().Name);
        }
    }

    /// <returns>True when a row was settled and the next one may follow at once.</returns>
    private async Task<bool> DeliverNextAsync(
        IServiceProvider services,
        ISubscriptionOutbox outbox,
        LiveSubscription? subscription,
        string tenant,
        string id,
        CancellationToken stoppingToken)
    {
        if (subscription is null || !subscription.Collects)
        {
            // Deleted or off: what it collected has no one to go to. The cache may predate the subscription (another
            // replica wrote it), so the store has the last word before anything is dropped.
            var stored = await services.GetRequiredService<IResourceStoreFactory>().ForTenant(tenant).ReadCurrentAsync(nameof(Subscription), id, stoppingToken);
            if (stored is { IsDeleted: false } && stored.ToResource() is Subscription { Status: not Subscription.SubscriptionStatus.Off })
            {
                cache.Invalidate(tenant);
                return false;
            }

            var dropped = await outbox.NextAsync(tenant, id, kind: null, stoppingToken);
            if (dropped is null)
            {
                return false;
            }

            await outbox.MarkDeliveredAsync(dropped.Sequence, stoppingToken);
            return true;
        }

        var statuses = services.GetRequiredService<SubscriptionStatusWriter>();
        switch (subscription.Status)
        {
            case Subscription.SubscriptionStatus.Requested:
                var handshake = await outbox.NextAsync(tenant, id, OutboxKind.Handshake, stoppingToken);
                if (handshake is null)
                {
                    return false;
                }

                var events = await outbox.EventCountAsync(tenant, id, stoppingToken);
                var failure = subscription.IsTopic
                    ? await sender.PostBundleAsync(subscription, SubscriptionStatusBundle.Notification(subscription, BaseUrl, SubscriptionStatusBundle.Handshake, events, [], clock.GetUtcNow()), stoppingToken)
                    : await sender.PingAsync(subscription, stoppingToken);
                // The status first, then the row: a crash in between leaves a handshake that an active subscription skips,
                // never a requested subscription without one.
                if (failure is null)
                {
                    _lastSent[(tenant, id)] = clock.GetUtcNow();
                    await statuses.SetAsync(tenant, id, Subscription.SubscriptionStatus.Requested, handshake.Entry.VersionId, Subscription.SubscriptionStatus.Active, null, stoppingToken);
                    await outbox.MarkDeliveredAsync(handshake.Sequence, stoppingToken);
                    return true;
                }

                logger.LogWarning("A subscription's handshake failed ({Reason}); it is set to error", failure);
                await statuses.SetAsync(tenant, id, Subscription.SubscriptionStatus.Requested, handshake.Entry.VersionId, Subscription.SubscriptionStatus.Error, $"Handshake failed: {failure}", stoppingToken);
                await outbox.MarkDeliveredAsync(handshake.Sequence, stoppingToken);
                return false;

            case Subscription.SubscriptionStatus.Active:
                var next = await outbox.NextAsync(tenant, id, kind: null, stoppingToken);
                if (next is null)
                {
                    return false;
                }

                if (next.Entry.Kind != OutboxKind.Event)
                {
                    // A handshake asked for by a version that has since been activated: nothing to do.
                    await outbox.MarkDeliveredAsync(next.Sequence, stoppingToken);
                    return true;
                }

                var reason = await SendEventAsync(services, outbox, subscription, next, stoppingToken);
                if (reason is null)
                {
                    _lastSent[(tenant, id)] = clock.GetUtcNow();
                    await outbox.MarkDeliveredAsync(next.Sequence, stoppingToken);
                    return true;
                }

                logger.LogWarning("A notification could not be delivered after its retries ({Reason}); the subscription is set to error", reason);
                await outbox.RecordFailureAsync(next.Sequence, reason, stoppingToken);
                await statuses.SetAsync(tenant, id, Subscription.SubscriptionStatus.Active, null, Subscription.SubscriptionStatus.Error, reason, stoppingToken);
                return false;

            default:
                // error: delivery waits for the client to ask for a new handshake.
                return false;
        }
    }

    private async Task<string?> SendEventAsync(
        IServiceProvider services,
        ISubscriptionOutbox outbox,
        LiveSubscription subscription,
        PendingNotification notification,
        CancellationToken stoppingToken)
    {
        var store = services.GetRequiredService<IResourceStoreFactory>().ForTenant(subscription.Tenant);
        var entry = notification.Entry;
        var focus = await ReadAsync(store, entry.ResourceType!, entry.ResourceId!, entry.VersionId, stoppingToken);
        if (!subscription.IsTopic)
        {
            return subscription.Content == NotificationContent.Empty || focus is null
                ? await sender.PingAsync(subscription, stoppingToken)
                : await sender.PutResourceAsync(subscription, focus, stoppingToken);
        }

        var number = await outbox.NumberAsync(notification, stoppingToken);
        var context = new List<(Resource?, string)>();
        foreach (var reference in (entry.Context ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = reference.Split('/');
            var resource = subscription.Content == NotificationContent.FullResource
                ? await ReadAsync(store, parts[0], parts[1], int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture), stoppingToken)
                : null;
            context.Add((resource, $"{BaseUrl}/{parts[0]}/{parts[1]}"));
        }

        var notificationEvent = new NotificationEvent(number, notification.CreatedAt, focus, $"{BaseUrl}/{entry.ResourceType}/{entry.ResourceId}", context);
        var bundle = SubscriptionStatusBundle.Notification(subscription, BaseUrl, SubscriptionStatusBundle.EventNotification, number, [notificationEvent], clock.GetUtcNow());
        return await sender.PostBundleAsync(subscription, bundle, stoppingToken);
    }

    private static async Task<Resource?> ReadAsync(IResourceStore store, string type, string id, int version, CancellationToken cancellationToken) =>
        (await store.ReadVersionAsync(type, id, version, cancellationToken))?.ToResource();

    /// <summary>
    /// Delivered notifications older than the retention go, in batches, and only by the lease holder (whose lease was
    /// renewed at the start of this poll), so two replicas never purge at once. It runs after the poll's deliveries have
    /// been started, and at most ten batches per poll keep a large backlog from delaying the next poll; the rest follows.
    /// </summary>
    private async Task PurgeAsync(SubscriptionOptions settings, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        if (now < _nextPurge)
        {
            return;
        }

        const int MaxBatchesPerPoll = 10;
        var size = Math.Max(1, settings.PurgeBatchSize);
        var deleted = 0;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var outbox = scope.ServiceProvider.GetRequiredService<ISubscriptionOutbox>();
            for (var batch = 0; batch < MaxBatchesPerPoll; batch++)
            {
                var count = await outbox.PurgeDeliveredAsync(now - settings.DeliveredRetention, size, stoppingToken);
                deleted += count;
                if (count < size)
                {
                    _nextPurge = now + TimeSpan.FromSeconds(settings.PurgeIntervalSeconds);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Housekeeping: a failed purge is tried again at the next poll and never holds up delivery.
            logger.LogWarning("Subscription outbox purge failed with {Exception}; it is tried again", ex.GetType().Name);
        }

        if (deleted > 0)
        {
            logger.LogInformation("Subscription outbox: {Count} delivered notifications past their retention were deleted", deleted);
        }
    }

    /// <summary>Backport heartbeats: an active topic subscription that heard nothing for its period is told so.</summary>
    private async Task SendHeartbeatsAsync(IReadOnlyList<(string Tenant, string SubscriptionId)> pending, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        foreach (var ((tenant, id), last) in _lastSent)
        {
            var subscription = (await cache.GetAsync(tenant, stoppingToken)).Find(id);
            if (subscription is null)
            {
                _lastSent.TryRemove((tenant, id), out _);
                continue;
            }

            if (subscription is not { IsTopic: true, Status: Subscription.SubscriptionStatus.Active, Heartbeat: { } period }
                || now - last < period || pending.Contains((tenant, id)) || _running.ContainsKey((tenant, id)))
            {
                continue;
            }

            await using var scope = scopes.CreateAsyncScope();
            var events = await scope.ServiceProvider.GetRequiredService<ISubscriptionOutbox>().EventCountAsync(tenant, id, stoppingToken);
            var bundle = SubscriptionStatusBundle.Notification(subscription, BaseUrl, SubscriptionStatusBundle.Heartbeat, events, [], now);
            _lastSent[(tenant, id)] = now;
            if (await sender.PostBundleAsync(subscription, bundle, stoppingToken) is { } failure)
            {
                logger.LogWarning("A subscription's heartbeat was not accepted ({Reason})", failure);
            }
        }
    }

    /// <summary>On a clean stop the lease is handed back, so another instance (or the restarted one) delivers at once.</summary>
    private async Task ReleaseLeaseAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ISubscriptionOutbox>().ReleaseLeaseAsync(_owner, bounded.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Subscription dispatcher could not hand back its lease on stopping ({Exception})", ex.GetType().Name);
        }
    }
}
