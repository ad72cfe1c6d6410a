namespace AllianceFhir.Core.Subscriptions;

/// <summary>Subscription matching and delivery (configuration section <c>Subscriptions</c>).</summary>
public sealed class SubscriptionOptions
{
    public const string SectionName = "Subscriptions";

    /// <summary>Whether this instance runs the dispatcher at all (matching into the outbox always runs).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How often the dispatcher looks for pending notifications when nothing woke it.</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>How long the dispatcher's lease lasts; it renews it every poll, and another replica takes over after it.</summary>
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How long a replica may match against a subscription list another replica has since changed.</summary>
    public int RefreshSeconds { get; set; } = 30;

    /// <summary>Retries of one notification before the subscription goes to error (so attempts = retries + 1).</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay; each later one doubles it (exponential backoff, with jitter).</summary>
    public int RetryDelayMilliseconds { get; set; } = 2000;

    /// <summary>Per-attempt timeout of a notification request (a backport subscription's own timeout wins when shorter).</summary>
    public int AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>How many subscriptions are delivered to at once (each in order, one notification at a time).</summary>
    public int MaxParallelSubscriptions { get; set; } = 16;

    /// <summary>
    /// How long a delivered notification stays in the outbox before the dispatcher deletes it (undelivered ones stay
    /// until delivered). Each subscription keeps its highest numbered row, so backport event numbers never restart.
    /// </summary>
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the lease holder purges delivered notifications older than <see cref="DeliveredRetention"/>.</summary>
    public int PurgeIntervalSeconds { get; set; } = 300;

    /// <summary>Rows deleted per statement; a purge runs batches until none is left (a bounded number per poll).</summary>
    public int PurgeBatchSize { get; set; } = 1000;
}
