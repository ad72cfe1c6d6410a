namespace AllianceFhir.Storage.Search;

/// <summary>
/// `_id` is searched and sorted on the version row's own id column, so it has no index rows. As a token row it cost
/// each commit one leaf page of the token lookup index per resource (ids are random, so no two share a page): about a
/// quarter of the WAL frames a submit wrote (issue 11, docs/performance.md), for a value the current-version index
/// (tenant, type, id) already finds with one seek.
/// </summary>
internal static class ResourceIdParameter
{
    public const string Name = "_id";
}
