using System.Net;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// <c>POST [base]</c> with a Bundle: a transaction is prepared entry by entry and committed as one store commit (all or
/// nothing); a batch commits each entry on its own and reports each entry's outcome.
/// </summary>
public sealed class BundleService(
    ResourceService service,
    IResourceStore store,
    SearchService search,
    ISearchIndexer indexer,
    AccessPolicy policy,
    ServiceBase serviceBase,
    AuditScope? audit = null)
{
    /// <summary>
    /// Preparation reads current versions first; a concurrent writer in between makes the commit fail, so go again. Each
    /// retry follows another request's commit, and a write without If-Match asked for last-writer-wins: as many as a REST
    /// conditional update gets (ResourceService), counted apart from lost condition claims. Sharing one count, a
    /// conditional entry that lost its claim and then two update races was a 409 where the same REST calls succeed.
    /// </summary>
    private const int ConflictRetries = 7;

    /// <summary>Each retry follows another request's commit for the same condition (see <see cref="ConditionClaim"/>).</summary>
    private const int ConditionalRetries = 7;

    public async Task<Bundle> ProcessAsync(Bundle bundle, BundleRequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(context);
        if (bundle.Entry.Count > context.MaxEntries)
        {
            throw FhirOperationException.Of(
                HttpStatusCode.RequestEntityTooLarge,
                OperationOutcome.IssueType.TooCostly,
                $"The Bundle has {bundle.Entry.Count} entries; this server accepts at most {context.MaxEntries} per transaction or batch");
        }

        if (audit is not null && bundle.Type is Bundle.BundleType.Transaction or Bundle.BundleType.Batch)
        {
            audit.BundleKind = bundle.Type.GetLiteral();
        }

        return bundle.Type switch
        {
            Bundle.BundleType.Transaction => await TransactionAsync(bundle, context, cancellationToken),
            Bundle.BundleType.Batch => await BatchAsync(bundle, context, cancellationToken),
            null => throw FhirOperationException.BadRequest("Bundle.type is missing; POST to the base takes a transaction or a batch", "Bundle.type"),
            var other => throw FhirOperationException.Of(
                HttpStatusCode.BadRequest,
                OperationOutcome.IssueType.NotSupported,
                $"POST to the base processes Bundles of type transaction or batch; a {other.Value.GetLiteral()} Bundle is not an instruction "
                + "to the server, and this server does not store Bundles as resources",
                "Bundle.type"),
        };
    }

    private async Task<Bundle> TransactionAsync(Bundle bundle, BundleRequestContext context, CancellationToken cancellationToken)
    {
        var claimOwners = new Dictionary<(string, string), string?>();
        var (conflicts, claims) = (0, 0);
        while (true)
        {
            BundleUnitOfWork? unit = null;
            try
            {
                // Parsed afresh on every attempt: preparation stamps ids and rewrites references in the entries' copies.
                var entries = bundle.Entry.Select((e, i) => BundleEntryParser.Parse(i, e, context.BaseUrl)).ToList();

                // Every entry is decided before the first is prepared: one forbidden entry and nothing is stored.
                foreach (var entry in entries)
                {
                    await AuthorizeAsync(entry, context, isBatch: false, cancellationToken);
                }

                unit = NewUnit(entries, context, isBatch: false, claimOwners);
                await unit.PrepareAsync(cancellationToken);
                if (unit.Writes.Count > 0)
                {
                    await store.CommitAsync(unit.Writes, cancellationToken);
                }

                return BundleResponseBuilder.Build(Bundle.BundleType.TransactionResponse, bundle.Entry.Count, unit.Results, context);
            }
            catch (BundleEntryException ex)
            {
                throw ex.NamingTheEntry();
            }
            catch (VersionConflictException) when (conflicts++ < ConflictRetries)
            {
                // Another request changed a resource this transaction read; nothing was committed, so prepare again.
            }
            catch (VersionConflictException ex) when (unit?.EntryWriting(ex.ResourceType, ex.Id) is { } entry)
            {
                throw new BundleEntryException(entry.Index, entry.FullUrl, ConflictOf(ex)).NamingTheEntry();
            }
            catch (ConditionClaimedException ex) when (claims++ < ConditionalRetries)
            {
                // A racing request committed a resource for an entry's condition: prepare again, and find it.
                claimOwners[(ex.ResourceType, ex.Condition)] = ex.Owner;
            }
            catch (ConditionClaimedException ex)
            {
                throw unit?.EntryWriting(ex.ResourceType, ex.Id) is { } entry
                    ? new BundleEntryException(entry.Index, entry.FullUrl, ContendedOf(ex)).NamingTheEntry()
                    : ContendedOf(ex);
            }
        }
    }

    private async Task<Bundle> BatchAsync(Bundle bundle, BundleRequestContext context, CancellationToken cancellationToken)
    {
        var results = new Dictionary<int, BundleEntryResult>();
        var entries = new List<BundleEntryRequest>();
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            try
            {
                var entry = BundleEntryParser.Parse(i, bundle.Entry[i], context.BaseUrl);
                await AuthorizeAsync(entry, context, isBatch: true, cancellationToken);
                entries.Add(entry);
            }
            catch (BundleEntryException ex)
            {
                results[i] = BundleEntryResult.Failure(ex.Failure);
            }
        }

        // R4 asks batch entries to be independent, yet to be processed in the transaction order all the same.
        foreach (var entry in entries.OrderBy(e => e.Phase).ThenBy(e => e.Index))
        {
            results[entry.Index] = await BatchEntryAsync(bundle.Entry[entry.Index], entry, context, cancellationToken);
        }

        return BundleResponseBuilder.Build(Bundle.BundleType.BatchResponse, bundle.Entry.Count, results, context);
    }

    private async Task<BundleEntryResult> BatchEntryAsync(
        Bundle.EntryComponent source,
        BundleEntryRequest entry,
        BundleRequestContext context,
        CancellationToken cancellationToken)
    {
        var claimOwners = new Dictionary<(string, string), string?>();
        var (conflicts, claims) = (0, 0);
        while (true)
        {
            try
            {
                var unit = NewUnit([entry], context, isBatch: true, claimOwners);
                await unit.PrepareAsync(cancellationToken);
                if (unit.Writes.Count > 0)
                {
                    await store.CommitAsync(unit.Writes, cancellationToken);
                }

                return unit.Results[entry.Index];
            }
            catch (BundleEntryException ex)
            {
                return BundleEntryResult.Failure(ex.Failure);
            }
            catch (VersionConflictException) when (conflicts++ < ConflictRetries)
            {
                entry = BundleEntryParser.Parse(entry.Index, source, context.BaseUrl);
            }
            catch (VersionConflictException ex)
            {
                return BundleEntryResult.Failure(ConflictOf(ex));
            }
            catch (ConditionClaimedException ex) when (claims++ < ConditionalRetries)
            {
                claimOwners[(ex.ResourceType, ex.Condition)] = ex.Owner;
                entry = BundleEntryParser.Parse(entry.Index, source, context.BaseUrl);
            }
            catch (ConditionClaimedException ex)
            {
                return BundleEntryResult.Failure(ContendedOf(ex));
            }
        }
    }

    private BundleUnitOfWork NewUnit(
        IReadOnlyList<BundleEntryRequest> entries,
        BundleRequestContext context,
        bool isBatch,
        IReadOnlyDictionary<(string, string), string?> claimOwners) =>
        new(service, store, search, new PendingResourceMatcher(indexer, serviceBase), entries, new SearchCall(context.BaseUrl, context.Access), isBatch, claimOwners,
            query => policy.AuthorizeSearch(context.Access, query));

    private static FhirOperationException ContendedOf(ConditionClaimedException ex) =>
        FhirOperationException.Conflict(
            $"Other requests kept creating {ex.ResourceType} resources for the same condition at the same time; try again");

    /// <summary>
    /// The entry's REST call decided as the REST call would be; under a restricted grant (patient/ or search-filtered
    /// scopes) also the resource it reads or writes, from the store, before anything in the Bundle is prepared.
    /// </summary>
    private async System.Threading.Tasks.Task AuthorizeAsync(BundleEntryRequest entry, BundleRequestContext context, bool isBatch, CancellationToken cancellationToken)
    {
        var caller = context.Access;
        var access = AccessRequest.For(entry);
        try
        {
            AuditEventWrites.EnsureAllowed(access.Interaction, entry.ResourceType);
        }
        catch (FhirOperationException ex)
        {
            throw new BundleEntryException(entry.Index, entry.FullUrl, ex);
        }

        var decision = policy.Decide(caller, access);
        if (!decision.Allowed)
        {
            throw new BundleEntryException(entry.Index, entry.FullUrl, decision.ToException());
        }

        try
        {
            policy.DemandApplicable(caller, access);
            if (entry.Interaction == EntryInteraction.Search && !isBatch && policy.IsRestricted(caller, entry.ResourceType, Permissions.Search))
            {
                // A transaction's search entries are matched beside its pending writes, outside the search engine that
                // carries the restriction; a batch's run through it.
                throw FhirOperationException.Of(
                    HttpStatusCode.Forbidden,
                    OperationOutcome.IssueType.Forbidden,
                    $"A transaction's search entries are not offered to a token whose patient/ or search-filtered scopes grant only some {entry.ResourceType} resources; send the search in a batch or on its own");
            }

            await AuthorizeResourceAsync(entry, caller, cancellationToken);
        }
        catch (FhirOperationException ex)
        {
            throw new BundleEntryException(entry.Index, entry.FullUrl, ex);
        }
    }

    private async System.Threading.Tasks.Task AuthorizeResourceAsync(BundleEntryRequest entry, AccessContext caller, CancellationToken cancellationToken)
    {
        var permission = entry.Interaction switch
        {
            EntryInteraction.Read or EntryInteraction.VRead => Permissions.Read,
            EntryInteraction.Create => Permissions.Create,
            EntryInteraction.Update => Permissions.Update,
            EntryInteraction.Delete => Permissions.Delete,
            _ => Permissions.None,
        };
        if (permission == Permissions.None || !policy.IsRestricted(caller, entry.ResourceType, permission))
        {
            return;
        }

        if (permission == Permissions.Read && entry.Id is not null)
        {
            // As over REST: each version judged on its own content, hidden ones as unknown. A resource this transaction
            // creates is not stored yet and is answered (or not) by the entry itself.
            var version = entry.Interaction == EntryInteraction.VRead ? entry.VersionId : null;
            await policy.DemandReadableAsync(caller, store, entry.ResourceType, entry.Id, version, cancellationToken);
            return;
        }

        if (entry.Id is not null)
        {
            await policy.DemandWritableByIdAsync(caller, store, permission, entry.ResourceType, entry.Id, entry.Resource, cancellationToken);
            return;
        }


        policy.DemandWrite(caller, permission, entry.Resource);
    }

    private static FhirOperationException ConflictOf(VersionConflictException ex) =>
        FhirOperationException.Conflict($"{ex.ResourceType}/{ex.Id} was changed by another request at the same time; read it again and retry");
}
