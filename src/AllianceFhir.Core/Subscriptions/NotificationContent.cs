namespace AllianceFhir.Core.Subscriptions;

/// <summary>How much of the triggering resource a notification carries.</summary>
public enum NotificationContent
{
    /// <summary>R4 payload absent, or backport <c>empty</c>: a ping (classic) or a Bundle without focus entries.</summary>
    Empty,

    /// <summary>Backport <c>id-only</c>: the focus is named by its full URL, without the resource.</summary>
    IdOnly,

    /// <summary>The resource itself (classic payload present, backport <c>full-resource</c>).</summary>
    FullResource,
}
