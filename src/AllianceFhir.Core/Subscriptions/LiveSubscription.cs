using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// A stored Subscription as matching and delivery use it: validated, its criteria compiled. Built from the resource by
/// <see cref="SubscriptionReader"/>, cached by <see cref="SubscriptionCache"/>.
/// </summary>
/// <param name="Payload">The MIME type notifications are sent as; null for a classic ping.</param>
/// <param name="Topic">The backport topic canonical, or null for a classic criteria subscription.</param>
/// <param name="OwnerPatient">The patient whose compartment bounds what the subscription may be told about (patient/ scopes).</param>
public sealed record LiveSubscription(
    string Tenant,
    string Id,
    Subscription.SubscriptionStatus Status,
    Uri Endpoint,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string? Payload,
    NotificationContent Content,
    string? Topic,
    CriteriaMatcher Matcher,
    string? OwnerPatient,
    TimeSpan? Heartbeat,
    TimeSpan? Timeout)
{
    public bool IsTopic => Topic is not null;

    /// <summary>Subscriptions that collect notifications: delivery waits while one is requested or in error, nothing is lost.</summary>
    public bool Collects => Status is Subscription.SubscriptionStatus.Requested or Subscription.SubscriptionStatus.Active or Subscription.SubscriptionStatus.Error;
}
