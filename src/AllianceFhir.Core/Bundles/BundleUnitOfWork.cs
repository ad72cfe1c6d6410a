using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// Prepares the entries of one transaction (or of one batch entry) without persisting anything, in the R4 processing
/// order: identities and references (<see cref="EntryIdentities"/>), then the writes (<see cref="WritePreparation"/>),
/// then the GET entries (<see cref="ReadEntryAnswers"/>); every read in between goes through <see cref="PendingReader"/>,
/// which sees the entries prepared so far. The caller commits <see cref="Writes"/> in one store commit.
/// </summary>
internal sealed class BundleUnitOfWork
{
    private readonly IReadOnlyList<BundleEntryRequest> _entries;
    private readonly PendingResourceMatcher _matcher;
    private readonly PendingResources _pending = new();
    private readonly Dictionary<int, BundleEntryResult> _results = [];
    private readonly EntryIdentities _identities;
    private readonly WritePreparation _writes;
    private readonly ReadEntryAnswers _reads;

    public BundleUnitOfWork(
        ResourceService service,
        IResourceStore store,
        SearchService search,
        PendingResourceMatcher matcher,
        IReadOnlyList<BundleEntryRequest> entries,
        SearchCall call,
        bool isBatch,
        IReadOnlyDictionary<(string Type, string Condition), string?> claimOwners,
        Func<SearchQuery, SearchQuery> authorizeSearch)
    {
        _entries = entries;
        _matcher = matcher;
        var reader = new PendingReader(store, search, matcher, _pending, authorizeSearch);
        _identities = new EntryIdentities(_pending, reader, isBatch, claimOwners);
        _writes = new WritePreparation(service, store, _pending, _identities, reader, matcher, _results);
        _reads = new ReadEntryAnswers(store, search, _pending, reader, call with { BaseUrl = call.BaseUrl.TrimEnd('/') }, isBatch, _results);
    }

    public IReadOnlyList<ResourceWrite> Writes => _writes.Writes;

    public IReadOnlyDictionary<int, BundleEntryResult> Results => _results;

    /// <summary>The entry that writes this resource, to name it when the commit reports a conflict on it.</summary>
    public BundleEntryRequest? EntryWriting(string resourceType, string id) =>
        _pending.TryGet(resourceType, id, out var p) ? p.Entry : null;

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        _matcher.Invalidate();
        var ordered = _entries.OrderBy(e => e.Phase).ThenBy(e => e.Index).ToList();
        foreach (var entry in ordered.Where(e => e.IsWrite))
        {
            await GuardAsync(entry, () => _identities.AssignAsync(entry, cancellationToken));
        }

        var identities = _identities.Map(_entries);
        foreach (var pending in _pending.All.Where(p => p.Resource is not null))
        {
            await GuardAsync(pending.Entry, () => _identities.RewriteReferences(pending, identities));
        }

        // Spec step 5: conditional references are resolved once every entry has its identity, so they can match
        // resources this same transaction creates.
        _matcher.Invalidate();
        foreach (var pending in _pending.All.Where(p => p.Resource is not null).OrderBy(p => p.Entry.Phase).ThenBy(p => p.Entry.Index))
        {
            await GuardAsync(pending.Entry, () => _identities.ResolveConditionalReferencesAsync(pending, cancellationToken));
        }

        _matcher.Invalidate();
        foreach (var entry in ordered.Where(e => e.IsWrite))
        {
            await GuardAsync(entry, () => _writes.PrepareAsync(entry, cancellationToken));
        }

        if (_entries.Count > 0)
        {
            _writes.EnsureDistinctWrites(_entries[0]);
        }

        foreach (var entry in ordered.Where(e => !e.IsWrite))
        {
            await GuardAsync(entry, () => _reads.AnswerAsync(entry, cancellationToken));
        }
    }

    private static async Task GuardAsync(BundleEntryRequest entry, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (FhirOperationException ex)
        {
            throw new BundleEntryException(entry.Index, entry.FullUrl, ex);
        }
        catch (ResourceGoneException ex)
        {
            throw new BundleEntryException(entry.Index, entry.FullUrl, FhirOperationException.Gone(ex.Message));
        }
    }

    private static Task GuardAsync(BundleEntryRequest entry, Action step) => GuardAsync(entry, () =>
    {
        step();
        return Task.CompletedTask;
    });
}
