using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// Builds the versions of each write entry once identities and references are settled: checks its preconditions,
/// then has <see cref="ResourceService.PrepareAsync(WriteOperation, string, string, Resource?, ResourceVersion?, string, IResourceReader, CancellationToken)"/>
/// build every version (so write hooks run, reading through the unit's <see cref="PendingReader"/>), and records the
/// entry's answer. Nothing is persisted here.
/// </summary>
internal sealed class WritePreparation(
    ResourceService service,
    IResourceStore store,
    PendingResources pending,
    EntryIdentities identities,
    PendingReader reader,
    PendingResourceMatcher matcher,
    Dictionary<int, BundleEntryResult> results)
{
    private readonly List<ResourceWrite> _writes = [];

    public IReadOnlyList<ResourceWrite> Writes => _writes;

    public async Task PrepareAsync(BundleEntryRequest entry, CancellationToken cancellationToken)
    {
        if (identities.TryGetMatchedExisting(entry.Index, out var existing))
        {
            results[entry.Index] = new BundleEntryResult(HttpStatusCode.OK, existing, existing.ToResource(), IsWrite: true);
            return;
        }

        if (!pending.TryGetByEntry(entry.Index, out var own))
        {
            // A create that matched a resource of this transaction is answered once that one is prepared (below);
            // a conditional delete that matched nothing did nothing.
            if (!identities.MatchedPending(entry.Index))
            {
                results[entry.Index] = new BundleEntryResult(HttpStatusCode.NoContent, null, null, IsWrite: true);
            }

            return;
        }

        var current = entry.Interaction == EntryInteraction.Create
            ? null
            : await store.ReadCurrentAsync(own.Type, own.Id, cancellationToken);
        Preconditions.DemandIfMatch(entry.IfMatch, current, own.Type, own.Id, "ifMatch");
        if (entry.Method == Bundle.HTTPVerb.PUT)
        {
            Preconditions.DemandIfNoneMatch(entry.IfNoneMatch, current, own.Type, own.Id, "ifNoneMatch");
        }

        List<ResourceWrite> writes;
        HttpStatusCode status;
        if (own.Resource is null)
        {
            if (current is null || current.IsDeleted)
            {
                results[entry.Index] = new BundleEntryResult(HttpStatusCode.NoContent, current, null, IsWrite: true);
                return;
            }

            writes = await service.PrepareAsync(WriteOperation.Delete, own.Type, own.Id, null, current, "DELETE", reader, cancellationToken);
            status = HttpStatusCode.NoContent;
        }
        else
        {
            var created = current is null || current.IsDeleted;
            var method = entry.Interaction == EntryInteraction.Create ? "POST" : "PUT";
            writes = await service.PrepareAsync(
                created ? WriteOperation.Create : WriteOperation.Update, own.Type, own.Id, own.Resource, current, method, reader, cancellationToken);
            status = created ? HttpStatusCode.Created : HttpStatusCode.OK;
        }

        if (identities.ClaimOf(entry.Index) is { } claim)
        {
            writes[0] = writes[0] with { Claim = claim };
        }

        own.Write = writes[0];
        if (own.Resource is not null)
        {
            matcher.Invalidate(own.Resource);
        }

        _writes.Add(writes[0]);
        foreach (var derived in writes.Skip(1))
        {
            AddDerived(own, derived);
        }

        results[entry.Index] = new BundleEntryResult(status, writes[0].ToVersion(), own.Resource, IsWrite: true);
        foreach (var index in identities.EntriesMatching(own))
        {
            results[index] = new BundleEntryResult(HttpStatusCode.OK, writes[0].ToVersion(), own.Resource, IsWrite: true);
        }
    }

    /// <summary>
    /// A resource a hook derived (a score, a Flag) becomes visible to the hooks of later entries, as the entry's own
    /// resource is: a second session in the same transaction must see the first one's scores. When a later entry's hook
    /// derives a new state of a resource an earlier entry's hook derived, the later state replaces the earlier in the one
    /// commit (both were prepared over the same stored version).
    /// </summary>
    private void AddDerived(Pending own, ResourceWrite derived)
    {
        var earlier = _writes.FindIndex(w => w.ResourceType == derived.ResourceType && w.Id == derived.Id);
        if (earlier >= 0 && pending.IsDerived(derived.ResourceType, derived.Id))
        {
            _writes[earlier] = derived with { Method = _writes[earlier].Method, VersionId = _writes[earlier].VersionId };
        }
        else
        {
            _writes.Add(derived);
        }

        if (derived.Json is not null && !pending.Contains(derived.ResourceType, derived.Id) || pending.IsDerived(derived.ResourceType, derived.Id))
        {
            var resource = derived.Json is null ? null : FhirSerialization.ParseStored(derived.Json);
            pending.RegisterDerived(own.Entry, derived.ResourceType, derived.Id, resource);
            if (resource is not null)
            {
                matcher.Invalidate(resource);
            }
        }
    }

    /// <summary>Hooks may derive versions of other resources; two writes of one resource in one commit cannot both win.</summary>
    public void EnsureDistinctWrites(BundleEntryRequest fallback)
    {
        var seen = new HashSet<(string, string)>();
        foreach (var write in _writes)
        {
            if (!seen.Add((write.ResourceType, write.Id)))
            {
                var entry = pending.TryGet(write.ResourceType, write.Id, out var p) ? p.Entry : fallback;
                throw new BundleEntryException(entry.Index, entry.FullUrl, FhirOperationException.Conflict(
                    $"{write.ResourceType}/{write.Id} would be written twice by this transaction (an entry and a resource derived from another entry)"));
            }
        }
    }
}
