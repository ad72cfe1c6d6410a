using System.Globalization;
using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// Answers the GET (and HEAD) entries of a unit, after its writes are prepared: reads and vreads see the versions this
/// unit writes; a batch's searches run through <see cref="SearchService"/>, as <c>GET [type]?…</c> would; a
/// transaction's searches are matched beside its pending resources.
/// </summary>
internal sealed class ReadEntryAnswers(
    IResourceStore store,
    SearchService search,
    PendingResources pending,
    PendingReader reader,
    SearchCall call,
    bool isBatch,
    Dictionary<int, BundleEntryResult> results)
{
    public async Task AnswerAsync(BundleEntryRequest entry, CancellationToken cancellationToken)
    {
        var head = entry.Method == Bundle.HTTPVerb.HEAD;
        switch (entry.Interaction)
        {
            case EntryInteraction.Read:
            {
                var version = pending.TryGet(entry.ResourceType, entry.Id!, out var p) && p.Write is { } w
                    ? w.ToVersion()
                    : await store.ReadCurrentAsync(entry.ResourceType, entry.Id!, cancellationToken);
                version = Readable(version, $"{entry.ResourceType}/{entry.Id} is not known");
                results[entry.Index] = Preconditions.IsNotModified(version, entry.IfNoneMatch, entry.IfModifiedSince)
                    ? new BundleEntryResult(HttpStatusCode.NotModified, version, null, IsWrite: false)
                    : new BundleEntryResult(HttpStatusCode.OK, version, head ? null : version.ToResource(), IsWrite: false);
                return;
            }

            case EntryInteraction.VRead:
            {
                var version = pending.TryGet(entry.ResourceType, entry.Id!, out var p) && p.Write is { } w && w.VersionId == entry.VersionId
                    ? w.ToVersion()
                    : await store.ReadVersionAsync(entry.ResourceType, entry.Id!, entry.VersionId!.Value, cancellationToken);
                version = Readable(version, $"{entry.ResourceType}/{entry.Id} has no version {entry.VersionId}");
                results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, version, head ? null : version.ToResource(), IsWrite: false);
                return;
            }

            case EntryInteraction.Search when isBatch:
            {
                // A batch entry sees only committed data, so the full search answers it: sorting, paging links,
                // _include, _summary/_elements and the outcome entry for ignored parameters, as GET would.
                var searchset = await search.SearchTypeAsync(entry.ResourceType, QueryParameters.Parse(entry.Query), call, cancellationToken);
                results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, null, head ? null : searchset.WithResources(), IsWrite: false);
                return;
            }

            case EntryInteraction.Search:
            {
                // A transaction's GET entries run after its writes and must see them before they are committed, so they
                // are matched here against the store plus this transaction's pending resources.
                var count = SearchCount(entry.Query);
                var matches = await reader.FindAsync(entry.ResourceType, entry.Query, EntryMatching.Search, count, cancellationToken);
                var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Timestamp = DateTimeOffset.UtcNow };
                bundle.Link.Add(new Bundle.LinkComponent
                {
                    Relation = "self",
                    Url = $"{call.BaseUrl}/{entry.ResourceType}" + (entry.Query.Length > 0 ? "?" + entry.Query : string.Empty),
                });
                foreach (var match in matches.Take(count))
                {
                    bundle.Entry.Add(new Bundle.EntryComponent
                    {
                        FullUrl = $"{call.BaseUrl}/{entry.ResourceType}/{match.Id}",
                        Resource = match.Stored?.ToResource() ?? match.Pending!.Resource,
                        Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
                    });
                }

                results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, null, head ? null : bundle, IsWrite: false);
                return;
            }
        }
    }

    private static ResourceVersion Readable(ResourceVersion? version, string notFound) =>
        version is null
            ? throw FhirOperationException.NotFound(notFound)
            : version.IsDeleted ? throw new ResourceGoneException(version) : version;

    private static int SearchCount(string query)
    {
        var text = QueryParameters.Parse(query).LastOrDefault(p => p.Key == "_count").Value;
        if (string.IsNullOrEmpty(text))
        {
            return SearchQuery.DefaultCount;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? Math.Min(count, SearchQuery.MaxCount)
            : throw FhirOperationException.BadRequest($"_count '{text}' is not a whole number");
    }
}
