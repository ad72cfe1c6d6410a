using AllianceFhir.Instruments.Monitoring;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>What a Flag says, in the words a clinician reads, and which Observations it is about.</summary>
public static class FlagText
{
    /// <summary>The reason: the code's text, else its first display, else its code.</summary>
    public static string Reason(Flag flag) =>
        flag.Code?.Text is { Length: > 0 } text ? text
        : flag.Code?.Coding.FirstOrDefault(c => c.Display is { Length: > 0 })?.Display
        ?? flag.Code?.Coding.FirstOrDefault()?.Code
        ?? "Flag without a reason";

    /// <summary>The rule that raised it, when the flag's code names one (a code beside the text).</summary>
    public static string? Rule(Flag flag) => flag.Code?.Coding.FirstOrDefault(c => c.Code is { Length: > 0 })?.Code;

    public static bool IsActive(Flag flag) => flag.Status == Flag.FlagStatus.Active;

    public static DateTimeOffset? Since(Flag flag) =>
        flag.Period?.StartElement is { } start && start.TryToDateTimeOffset(out var when) ? when : null;

    /// <summary>
    /// The Observations a flag is about: R4 Flag has no evidence element, so the core <c>flag-detail</c> extension carries
    /// them. Other Observation references on a flag (the score that resolved a monitoring flag) are not its evidence.
    /// </summary>
    public static IEnumerable<string> EvidenceOf(Flag flag) =>
        flag.Extension
            .Where(e => e.Url == MonitoringUrls.FlagDetail)
            .Select(e => e.Value)
            .OfType<ResourceReference>()
            .Select(r => r.Reference)
            .OfType<string>()
            .Where(r => r.StartsWith("Observation/", StringComparison.Ordinal))
            .Select(r => r["Observation/".Length..].Split('/')[0]);
}
