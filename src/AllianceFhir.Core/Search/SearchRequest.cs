using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Search;

/// <summary>
/// One page of a search: the parsed query, the types it runs over (one for a type-level search, several for a
/// whole-system <c>_type</c> search) and the continuation cursor of a next/previous link, or null for the first page.
/// </summary>
public sealed record SearchRequest(SearchQuery Query, IReadOnlyList<string> ResourceTypes, string? Cursor = null)
{
    public static SearchRequest ForType(SearchQuery query, string? cursor = null) => new(query, [query.ResourceType], cursor);
}

/// <summary>
/// A page of matches (in result order), the resources `_include`/`_revinclude` brought in, the total when it was asked
/// for or cheap, and opaque cursors for the neighbouring pages (null when there is none).
/// </summary>
public sealed record SearchResult(
    IReadOnlyList<ResourceVersion> Matches,
    IReadOnlyList<ResourceVersion> Included,
    int? Total,
    string? NextCursor,
    string? PreviousCursor);
