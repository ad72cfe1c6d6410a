using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>One event a backport notification reports: its number, when it was committed, its focus and context.</summary>
public sealed record NotificationEvent(long Number, DateTimeOffset Timestamp, Resource? Focus, string FocusReference, IReadOnlyList<(Resource? Resource, string Reference)> Context);

/// <summary>
/// The Subscriptions R5 Backport IG's notification shape for R4: a <c>history</c> Bundle whose first entry is the
/// SubscriptionStatus (a Parameters resource under the <c>backport-subscription-status-r4</c> profile), followed by the
/// focus and context resources of the events (with the resource for <c>full-resource</c>, without for <c>id-only</c>).
/// The same Parameters answers <c>$status</c>.
/// </summary>
public static class SubscriptionStatusBundle
{
    /// <summary>The backport's notification types.</summary>
    public const string Handshake = "handshake";
    public const string Heartbeat = "heartbeat";
    public const string EventNotification = "event-notification";
    public const string QueryStatus = "query-status";

    public static Parameters Status(LiveSubscription subscription, string baseUrl, string type, long eventsSinceStart, IReadOnlyList<NotificationEvent> events)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(events);
        var status = new Parameters { Id = null, Meta = new Meta { Profile = [BackportUrls.StatusProfile] } };
        status.Add("subscription", new ResourceReference($"{baseUrl}/Subscription/{subscription.Id}"));
        if (subscription.Topic is { } topic)
        {
            status.Add("topic", new Canonical(topic));
        }

        status.Add("status", new Code(StatusCode(subscription.Status)));
        status.Add("type", new Code(type));
        status.Add("events-since-subscription-start", new FhirString(eventsSinceStart.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var notification in events)
        {
            var parts = new List<Tuple<string, Base>>
            {
                Tuple.Create<string, Base>("event-number", new FhirString(notification.Number.ToString(System.Globalization.CultureInfo.InvariantCulture))),
                Tuple.Create<string, Base>("timestamp", new Instant(notification.Timestamp)),
            };
            if (subscription.Content != NotificationContent.Empty)
            {
                parts.Add(Tuple.Create<string, Base>("focus", new ResourceReference(notification.FocusReference)));
                parts.AddRange(notification.Context.Select(c => Tuple.Create<string, Base>("additional-context", new ResourceReference(c.Reference))));
            }

            status.Add("notification-event", parts);
        }

        return status;
    }

    public static Bundle Notification(LiveSubscription subscription, string baseUrl, string type, long eventsSinceStart, IReadOnlyList<NotificationEvent> events, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var bundle = new Bundle { Type = Bundle.BundleType.History, Timestamp = now, Id = Guid.NewGuid().ToString("N") };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = $"urn:uuid:{Guid.NewGuid()}",
            Resource = Status(subscription, baseUrl, type, eventsSinceStart, events),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = $"{baseUrl}/Subscription/{subscription.Id}/$status" },
            Response = new Bundle.ResponseComponent { Status = "200" },
        });
        if (subscription.Content == NotificationContent.Empty)
        {
            return bundle;
        }

        foreach (var notification in events)
        {
            bundle.Entry.Add(Entry(subscription, notification.Focus, notification.FocusReference));
            foreach (var (resource, reference) in notification.Context)
            {
                bundle.Entry.Add(Entry(subscription, resource, reference));
            }
        }

        return bundle;
    }

    private static Bundle.EntryComponent Entry(LiveSubscription subscription, Resource? resource, string reference)
    {
        var entry = new Bundle.EntryComponent
        {
            FullUrl = reference,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = reference },
            Response = new Bundle.ResponseComponent { Status = "200" },
        };
        if (subscription.Content == NotificationContent.FullResource)
        {
            entry.Resource = resource;
        }

        return entry;
    }

    private static string StatusCode(Subscription.SubscriptionStatus status) => status switch
    {
        Subscription.SubscriptionStatus.Requested => "requested",
        Subscription.SubscriptionStatus.Active => "active",
        Subscription.SubscriptionStatus.Error => "error",
        _ => "off",
    };
}
