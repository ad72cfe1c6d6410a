using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// <c>Subscription.channel.header</c> often carries the credential the EHR's endpoint demands (<c>Authorization: Bearer
/// …</c>). It is stored and sent as written, but a caller who may not write the Subscription reads each header as
/// <c>Name: [redacted]</c>, and the resource carries the <c>REDACTED</c> security label, so nobody takes the placeholder
/// for the value. An update that sends a placeholder back keeps the stored value of that header.
/// </summary>
public static class ChannelHeaderMask
{
    public const string Placeholder = "[redacted]";

    /// <summary>HL7 v3 ObservationValue <c>REDACTED</c>: information was removed from this representation.</summary>
    public static readonly Coding RedactedLabel = new("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "REDACTED", "redacted");

    /// <summary>Whoever may update the Subscription (as an update of it would be decided) sees its headers.</summary>
    public static bool MaySee(AccessPolicy policy, AccessContext? caller, Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(subscription);
        return caller is not null
            && policy.Granted(caller, nameof(Subscription)).HasFlag(Permissions.Update)
            && policy.Permits(caller, Permissions.Update, subscription);
    }

    /// <summary>A cheap test on stored JSON before any parse: only a Subscription with headers needs masking.</summary>
    public static bool MayHaveHeaders(string resourceType, string? json) =>
        resourceType == nameof(Subscription) && json is not null && json.Contains("\"header\"", StringComparison.Ordinal);

    /// <summary>The same test on stored UTF-8 bytes, for readers that never make a string of them.</summary>
    public static bool MayHaveHeaders(string resourceType, ReadOnlySpan<byte> json) =>
        resourceType == nameof(Subscription) && json.IndexOf("\"header\""u8) >= 0;

    /// <summary>Stored JSON of a Subscription with every header value replaced, labelled REDACTED; unchanged without headers.</summary>
    public static string MaskJson(string json)
    {
        if (FhirSerialization.ParseStored(json) is not Subscription { Channel.HeaderElement.Count: > 0 } subscription)
        {
            return json;
        }

        Mask(subscription);
        return FhirSerialization.ToStoredJson(subscription);
    }

    /// <summary>Replaces each header's value (the name stays, so a reader knows which headers are sent) and labels the resource.</summary>
    public static void Mask(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (subscription.Channel?.Header.ToList() is not { Count: > 0 } headers)
        {
            return;
        }

        subscription.Channel.Header = [.. headers.Select(h => $"{NameOf(h) ?? "header"}: {Placeholder}")];
        subscription.Meta ??= new Meta();
        if (!subscription.Meta.Security.Any(IsRedactedLabel))
        {
            subscription.Meta.Security.Add((Coding)RedactedLabel.DeepCopy());
        }
    }

    /// <summary>
    /// Before an incoming Subscription is validated: each header sent back as <c>Name: [redacted]</c> takes the stored
    /// value of the same-named header (the n-th of that name for the n-th placeholder), and the server's REDACTED label,
    /// which describes a representation and not the resource, is dropped. A placeholder with no stored header to stand
    /// for is refused: it would otherwise be sent to the receiver as the credential.
    /// </summary>
    /// <exception cref="FhirOperationException">422 naming the header.</exception>
    public static void Restore(Subscription incoming, Subscription? stored)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        incoming.Meta?.Security.RemoveAll(IsRedactedLabel);
        if (incoming.Channel?.HeaderElement is not { Count: > 0 } headers)
        {
            return;
        }

        var previous = stored?.Channel?.Header.ToList() ?? [];
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i]?.Value;
            var name = NameOf(header);
            if (name is null || !string.Equals(ValueOf(header), Placeholder, StringComparison.Ordinal))
            {
                continue;
            }

            var nth = seen.TryGetValue(name, out var count) ? count : 0;
            seen[name] = nth + 1;
            var original = previous.Where(h => string.Equals(NameOf(h), name, StringComparison.OrdinalIgnoreCase)).Skip(nth).FirstOrDefault();
            if (original is null || string.Equals(ValueOf(original), Placeholder, StringComparison.Ordinal))
            {
                throw FhirOperationException.Of(
                    HttpStatusCode.UnprocessableEntity,
                    OperationOutcome.IssueType.Value,
                    $"'{name}: {Placeholder}' is how the server shows a stored header value to those who may not see it, and this Subscription has no stored {name} header for it to keep: send the header's value",
                    $"Subscription.channel.header[{i}]");
            }

            headers[i]!.Value = original;
        }
    }

    private static bool IsRedactedLabel(Coding coding) =>
        coding.System == RedactedLabel.System && coding.Code == RedactedLabel.Code;

    private static string? NameOf(string? header) =>
        header?.IndexOf(':', StringComparison.Ordinal) is int colon and > 0 ? header[..colon].Trim() : null;

    private static string? ValueOf(string? header) =>
        header?.IndexOf(':', StringComparison.Ordinal) is int colon and > 0 ? header[(colon + 1)..].Trim() : null;
}
