using System.Collections.Frozen;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>One tenant's compiled subscriptions at one moment, by id and by the resource type their criteria watch.</summary>
public sealed class SubscriptionSnapshot
{
    public static readonly SubscriptionSnapshot Empty = new([]);

    private readonly FrozenDictionary<string, LiveSubscription[]> _byType;
    private readonly FrozenDictionary<string, LiveSubscription> _byId;

    public SubscriptionSnapshot(IReadOnlyList<LiveSubscription> subscriptions)
    {
        All = subscriptions;
        _byId = subscriptions.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
        _byType = subscriptions.Where(s => s.Collects)
            .GroupBy(s => s.Matcher.ResourceType, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    public IReadOnlyList<LiveSubscription> All { get; }

    /// <summary>Whether any subscription collects notifications: the common case of none costs one check per commit.</summary>
    public bool IsEmpty => _byType.Count == 0;

    public LiveSubscription? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The collecting subscriptions that watch a type.</summary>
    public IReadOnlyList<LiveSubscription> Watching(string resourceType) =>
        _byType.TryGetValue(resourceType, out var list) ? list : [];
}
