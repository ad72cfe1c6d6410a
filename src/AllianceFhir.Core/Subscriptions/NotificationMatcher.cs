using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// Decides, for a commit about to be written, which notifications it causes: the store writes the entries in the same
/// transaction as the versions. Runs on the writer's request before the commit is queued, against the cached compiled
/// subscriptions and the index values the write already carries, so its cost with no subscriptions is one check and
/// with some a few comparisons per subscription watching the written type; it never reads the database (except to
/// reload the cache after a Subscription changed).
/// </summary>
public sealed class NotificationMatcher(SubscriptionCache cache, NotificationSignal signal) : ICommitObserver
{
    private static readonly HashSet<string> CompletedStatuses = new(StringComparer.Ordinal) { "completed", "amended" };

    public async ValueTask<IReadOnlyList<OutboxEntry>> MatchAsync(string tenant, IReadOnlyList<ResourceWrite> writes, CancellationToken cancellationToken)
    {
        List<OutboxEntry>? entries = null;
        foreach (var write in writes)
        {
            // A Subscription written as requested asks for its handshake, whether or not others exist.
            if (write.ResourceType == nameof(Subscription) && !write.IsDeleted && HasToken(write.Index, "status", "requested"))
            {
                (entries ??= []).Add(new OutboxEntry(tenant, write.Id, OutboxKind.Handshake, write.ResourceType, write.Id, write.VersionId));
            }
        }

        var snapshot = await cache.GetAsync(tenant, cancellationToken);
        if (snapshot.IsEmpty)
        {
            return entries ?? (IReadOnlyList<OutboxEntry>)[];
        }

        foreach (var write in writes)
        {
            // Deletes notify no one: R4 criteria select resources, and a deleted version has none to select.
            if (write.IsDeleted)
            {
                continue;
            }

            foreach (var subscription in snapshot.Watching(write.ResourceType))
            {
                if (subscription.IsTopic && !HasAnyToken(write.Index, "status", CompletedStatuses))
                {
                    continue;
                }

                if (!subscription.Matcher.Matches(write.Index) || !InCompartment(subscription, write))
                {
                    continue;
                }

                var context = subscription.IsTopic ? ScoreContext(write, writes, subscription) : null;
                (entries ??= []).Add(new OutboxEntry(tenant, subscription.Id, OutboxKind.Event, write.ResourceType, write.Id, write.VersionId, context));
            }
        }

        return entries ?? (IReadOnlyList<OutboxEntry>)[];
    }

    /// <summary>After a commit: the dispatcher is woken, and a written Subscription changes what later commits match.</summary>
    public void Committed(string tenant, IReadOnlyList<ResourceWrite> writes, IReadOnlyList<OutboxEntry> notifications)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(notifications);

        // Invalidate before waking the dispatcher, or it could look the new subscription up in the old list.
        if (writes.Any(w => w.ResourceType == nameof(Subscription)))
        {
            cache.Invalidate(tenant);
        }

        if (notifications.Count > 0)
        {
            signal.Pulse();
        }
    }

    /// <summary>A subscription created under a patient/ scope hears only of its patient's compartment.</summary>
    private static bool InCompartment(LiveSubscription subscription, ResourceWrite write)
    {
        if (subscription.OwnerPatient is not { } patient)
        {
            return true;
        }

        if (write.ResourceType == nameof(Patient))
        {
            return write.Id == patient;
        }

        var names = PatientCompartment.ParametersOf(write.ResourceType);
        return write.Index.OfType<ReferenceIndexValue>()
            .Any(v => names.Contains(v.ParamName, StringComparer.Ordinal) && v.TargetType == nameof(Patient) && v.TargetId == patient);
    }

    /// <summary>The topic's additional context: the Observations of the same commit derived from the response (its scores).</summary>
    private static string? ScoreContext(ResourceWrite response, IReadOnlyList<ResourceWrite> writes, LiveSubscription subscription)
    {
        var scores = writes
            .Where(w => w.ResourceType == nameof(Observation) && !w.IsDeleted && InCompartment(subscription, w)
                && w.Index.OfType<ReferenceIndexValue>().Any(v => v.ParamName == "derived-from" && v.TargetType == response.ResourceType && v.TargetId == response.Id))
            .Select(w => $"{w.ResourceType}/{w.Id}/_history/{w.VersionId}")
            .ToList();
        return scores.Count == 0 ? null : string.Join(' ', scores);
    }

    private static bool HasToken(IReadOnlyList<SearchIndexValue> index, string name, string code) =>
        index.Any(v => v is TokenIndexValue t && t.ParamName == name && t.Code == code);

    private static bool HasAnyToken(IReadOnlyList<SearchIndexValue> index, string name, HashSet<string> codes) =>
        index.Any(v => v is TokenIndexValue t && t.ParamName == name && t.Code is not null && codes.Contains(t.Code));
}
