using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// One parsed entry of a transaction or batch: what to do, on what, under which preconditions.
/// <see cref="Resource"/> is a private copy: processing stamps ids and rewrites references in it.
/// </summary>
public sealed record BundleEntryRequest(
    int Index,
    string? FullUrl,
    Bundle.HTTPVerb Method,
    EntryInteraction Interaction,
    string ResourceType,
    string? Id,
    int? VersionId,
    string Query,
    Resource? Resource,
    IfMatch? IfMatch,
    string? IfNoneMatch,
    string? IfNoneExist,
    DateTimeOffset? IfModifiedSince)
{
    /// <summary>The R4 processing order of a transaction: DELETE, then POST, then PUT/PATCH, then GET/HEAD.</summary>
    public int Phase => Method switch
    {
        Bundle.HTTPVerb.DELETE => 0,
        Bundle.HTTPVerb.POST => 1,
        Bundle.HTTPVerb.PUT or Bundle.HTTPVerb.PATCH => 2,
        _ => 3,
    };

    public bool IsWrite => Interaction is not (EntryInteraction.Read or EntryInteraction.VRead or EntryInteraction.Search);

    /// <summary>How messages name this entry: its position, and its fullUrl when it has one.</summary>
    public string Describe() => EntryNames.Describe(Index, FullUrl);
}

internal static class EntryNames
{
    public static string Describe(int index, string? fullUrl) =>
        fullUrl is { Length: > 0 } ? $"Bundle.entry[{index}] (fullUrl {fullUrl})" : $"Bundle.entry[{index}]";
}
