using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Resources;

/// <summary>
/// The FHIR interactions without HTTP: assigns ids and meta, enforces version preconditions, runs the write hooks and
/// hands every resulting version to the store as one atomic commit.
/// </summary>
/// <remarks>
/// <paramref name="requestReader"/> is the one hooks look related resources up through outside a transaction (a transaction
/// passes its own, see <see cref="PrepareAsync(WriteOperation, string, string, Resource?, ResourceVersion?, string, IResourceReader, CancellationToken)"/>).
/// </remarks>
public sealed class ResourceService(
    IResourceStore store,
    SearchService search,
    IResourceReader requestReader,
    ISearchIndexer indexer,
    IEnumerable<IResourceWriteHook> hooks,
    IEnumerable<IWriteSetHook> setHooks,
    ReferentialIntegrity integrity,
    ServiceBase serviceBase,
    TimeProvider clock)
{
    /// <summary>An update without If-Match that loses a race is retried on the new current version (last writer wins).</summary>
    private const int UnconditionalRetries = 3;

    /// <summary>A conditional write goes again after losing its condition claim or a version race to a concurrent writer.</summary>
    private const int ConditionalAttempts = 8;

    private readonly ILookup<string, IResourceWriteHook> _hooks = hooks.ToLookup(h => h.ResourceType, StringComparer.Ordinal);

    private readonly IWriteSetHook[] _setHooks = [.. setHooks];

    public Task<ResourceVersion> ReadAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        new ResourceReads(store).ReadAsync(resourceType, id, cancellationToken);

    public Task<ResourceVersion> VReadAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken) =>
        new ResourceReads(store).VReadAsync(resourceType, id, versionId, cancellationToken);

    public Task<IReadOnlyList<ResourceVersion>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        if (query.ResourceType is not null)
        {
            EnsureSupported(query.ResourceType);
        }

        return store.HistoryAsync(query, cancellationToken);
    }

    public async Task<WriteResult> CreateAsync(Resource resource, string? ifNoneExist, CancellationToken cancellationToken)
    {
        var type = resource.TypeName;
        EnsureSupported(type);
        if (!string.IsNullOrWhiteSpace(ifNoneExist))
        {
            return await ConditionalCreateAsync(resource, ifNoneExist, cancellationToken);
        }

        var id = FhirId.New();
        var writes = await PrepareAsync(WriteOperation.Create, type, id, resource, current: null, "POST", cancellationToken);
        return await CommitAsync(writes, resource, created: true, cancellationToken);
    }

    /// <summary>
    /// <c>If-None-Exist</c>: no match creates under a claim on the condition, so that of racing creates one commits and
    /// the others, looking again, find it and answer with it.
    /// </summary>
    private async Task<WriteResult> ConditionalCreateAsync(Resource resource, string ifNoneExist, CancellationToken cancellationToken)
    {
        const string what = "If-None-Exist";
        var type = resource.TypeName;
        var parameters = ConditionParameters(ifNoneExist, what);
        var condition = ConditionKey.Of(parameters);
        string? owner = null;
        for (var attempt = 1; ; attempt++)
        {
            var existing = await FindSingleForConditionAsync(type, parameters, what, cancellationToken);
            if (existing is not null)
            {
                return new WriteResult(existing, existing.ToResource(), Created: false);
            }

            try
            {
                var writes = await PrepareAsync(WriteOperation.Create, type, FhirId.New(), resource, current: null, "POST", cancellationToken);
                writes[0] = writes[0] with { Claim = new ConditionClaim(condition, owner) };
                return await CommitAsync(writes, resource, created: true, cancellationToken);
            }
            catch (ConditionClaimedException ex) when (attempt < ConditionalAttempts)
            {
                // Another writer committed a resource for this condition; if it no longer matches, its claim may go.
                owner = ex.Owner;
            }
            catch (ConditionClaimedException)
            {
                throw ConditionContended(type, what);
            }
        }
    }

    /// <summary>
    /// Update (or update-as-create with a client id). <paramref name="ifMatch"/> is the version the client last saw (or
    /// <c>*</c>); <paramref name="ifNoneMatch"/> the versions it does not want to overwrite (<c>*</c>: create only).
    /// </summary>
    public async Task<WriteResult> UpdateAsync(
        string resourceType,
        string id,
        Resource resource,
        IfMatch? ifMatch,
        string? ifNoneMatch,
        CancellationToken cancellationToken)
    {
        EnsureSupported(resourceType);
        EnsureBodyMatches(resourceType, id, resource);
        for (var attempt = 0; ; attempt++)
        {
            // Checked again on every attempt: a retry after a lost race must still meet the client's preconditions.
            var current = await store.ReadCurrentAsync(resourceType, id, cancellationToken);
            Preconditions.DemandIfMatch(ifMatch, current, resourceType, id, "If-Match");
            Preconditions.DemandIfNoneMatch(ifNoneMatch, current, resourceType, id, "If-None-Match");
            try
            {
                var created = current is null || current.IsDeleted;
                var operation = created ? WriteOperation.Create : WriteOperation.Update;
                var writes = await PrepareAsync(operation, resourceType, id, resource, current, "PUT", cancellationToken);
                return await CommitAsync(writes, resource, created, cancellationToken);
            }
            catch (VersionConflictException) when (ifMatch?.Version is null && attempt < UnconditionalRetries)
            {
                // Someone else wrote first; without a version in If-Match the client asked for last-writer-wins, so go again.
            }
            catch (VersionConflictException) when (ifMatch?.Version is int expected)
            {
                throw LostRace(resourceType, id, expected);
            }
        }
    }

    /// <summary>
    /// Conditional update: <c>PUT [type]?[search]</c>. No match creates under a claim on the condition, as
    /// <c>If-None-Exist</c> does; racing writers that lose the claim find the winner and update it.
    /// </summary>
    public async Task<WriteResult> ConditionalUpdateAsync(
        string resourceType,
        string query,
        Resource resource,
        CancellationToken cancellationToken)
    {
        const string what = "conditional update";
        EnsureSupported(resourceType);
        EnsureTypeMatches(resourceType, resource);
        var parameters = ConditionParameters(query, what);
        var condition = ConditionKey.Of(parameters);

        // Preparing stamps an id into the body; every attempt starts again from the id the client sent, if any.
        var bodyId = resource.Id is { Length: > 0 } sent ? sent : null;
        string? owner = null;
        for (var attempt = 1; ; attempt++)
        {
            resource.Id = bodyId;
            var match = await FindSingleForConditionAsync(resourceType, parameters, what, cancellationToken);
            if (match is not null && bodyId is not null && bodyId != match.Id)
            {
                throw FhirOperationException.BadRequest(
                    $"The resource id '{bodyId}' differs from the id of the resource the condition matched ('{match.Id}')",
                    $"{resourceType}.id");
            }

            try
            {
                if (match is null)
                {
                    return await CreateForConditionAsync(resourceType, bodyId, resource, new ConditionClaim(condition, owner), cancellationToken);
                }

                resource.Id = match.Id;
                return await UpdateAsync(resourceType, match.Id, resource, ifMatch: null, ifNoneMatch: null, cancellationToken);
            }
            catch (ConditionClaimedException ex) when (attempt < ConditionalAttempts)
            {
                // Another writer committed a resource for this condition; if it no longer matches, its claim may go.
                owner = ex.Owner;
            }
            catch (VersionConflictException) when (attempt < ConditionalAttempts)
            {
                // Racing updates of the one match outlasted the update's own retries; without If-Match the last
                // writer wins, so go again.
            }
            catch (ConditionClaimedException)
            {
                throw ConditionContended(resourceType, what);
            }
        }
    }

    /// <summary>A conditional update that matched nothing: create, under the client's id (update as create) if it sent one.</summary>
    private async Task<WriteResult> CreateForConditionAsync(
        string resourceType,
        string? bodyId,
        Resource resource,
        ConditionClaim claim,
        CancellationToken cancellationToken)
    {
        ResourceVersion? current = null;
        if (bodyId is not null)
        {
            EnsureBodyMatches(resourceType, bodyId, resource);
            current = await store.ReadCurrentAsync(resourceType, bodyId, cancellationToken);
        }

        var created = current is null || current.IsDeleted;
        var operation = created ? WriteOperation.Create : WriteOperation.Update;
        var writes = await PrepareAsync(operation, resourceType, bodyId ?? FhirId.New(), resource, current, "PUT", cancellationToken);
        writes[0] = writes[0] with { Claim = claim };
        return await CommitAsync(writes, resource, created, cancellationToken);
    }

    /// <summary>Logical delete. Deleting a deleted or unknown resource succeeds and changes nothing (unless If-Match asks for a version).</summary>
    public async Task<ResourceVersion?> DeleteAsync(string resourceType, string id, IfMatch? ifMatch, CancellationToken cancellationToken)
    {
        EnsureSupported(resourceType);
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.ReadCurrentAsync(resourceType, id, cancellationToken);
            Preconditions.DemandIfMatch(ifMatch, current, resourceType, id, "If-Match");

            if (current is null || current.IsDeleted)
            {
                return current;
            }

            try
            {
                var writes = await PrepareAsync(WriteOperation.Delete, resourceType, id, null, current, "DELETE", cancellationToken);
                await store.CommitAsync(writes, cancellationToken);
                return writes[0].ToVersion();
            }
            catch (VersionConflictException) when (ifMatch?.Version is null && attempt < UnconditionalRetries)
            {
                // A concurrent write made a newer version; delete that one instead.
            }
            catch (VersionConflictException) when (ifMatch?.Version is int expected)
            {
                throw LostRace(resourceType, id, expected);
            }
        }
    }

    /// <summary>
    /// <c>DELETE [base]/[type]?[query]</c> (R4 http.html, conditional delete): no match or one match is an ordinary delete
    /// (of nothing, or of that resource); several are a 412, as this server deletes one resource at a time (the
    /// CapabilityStatement says <c>conditionalDelete: single</c>, as for a transaction's conditional delete entries).
    /// </summary>
    /// <returns>The version that records the delete, or null when nothing matched (or the match was deleted meanwhile).</returns>
    public async Task<ResourceVersion?> ConditionalDeleteAsync(string resourceType, string query, CancellationToken cancellationToken)
    {
        const string what = "conditional delete";
        EnsureSupported(resourceType);
        var parameters = ConditionParameters(query, what);
        var match = await FindSingleForConditionAsync(resourceType, parameters, what, cancellationToken);
        return match is null ? null : await DeleteAsync(resourceType, match.Id, ifMatch: null, cancellationToken);
    }

    /// <summary>The version the client named was current when we looked, but another write committed first.</summary>
    private static FhirOperationException LostRace(string resourceType, string id, int ifMatch) =>
        FhirOperationException.PreconditionFailed(
            $"If-Match {ETags.Weak(ifMatch)} is no longer the current version of {resourceType}/{id}: another update committed first");

    private static IReadOnlyList<KeyValuePair<string, string>> ConditionParameters(string query, string what)
    {
        var parameters = QueryParameters.Parse(query);
        if (!parameters.Any(p => !ResultParameters.Contains(p.Key)))
        {
            throw FhirOperationException.BadRequest($"The {what} condition has no search parameters");
        }

        return parameters;
    }

    private async Task<ResourceVersion?> FindSingleForConditionAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        string what,
        CancellationToken cancellationToken)
    {
        var matches = await search.FindCurrentAsync(resourceType, parameters, limit: 2, cancellationToken);
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw FhirOperationException.PreconditionFailed(
                $"The {what} condition matched more than one {resourceType}"),
        };
    }

    /// <summary>Each retry follows another writer's commit for the condition, so running out of them is rare: say so.</summary>
    private static FhirOperationException ConditionContended(string resourceType, string what) =>
        FhirOperationException.Conflict(
            $"Other requests kept creating {resourceType} resources for the same {what} condition at the same time; try again");

    /// <summary>
    /// Builds every version this write produces: the resource itself (with id and meta), then whatever the hooks
    /// derive from it, and checks that their references resolve (and, for a delete, that nothing refers to it).
    /// Nothing is persisted here.
    /// </summary>
    public Task<List<ResourceWrite>> PrepareAsync(
        WriteOperation operation,
        string resourceType,
        string id,
        Resource? resource,
        ResourceVersion? current,
        string method,
        CancellationToken cancellationToken) =>
        PrepareAsync(operation, resourceType, id, resource, current, method, requestReader, cancellationToken);

    /// <summary>
    /// As above, with the reader the hooks look related resources up through: a transaction passes one that also sees
    /// the resources of its own entries, which are not in the database before the commit.
    /// </summary>
    public async Task<List<ResourceWrite>> PrepareAsync(
        WriteOperation operation,
        string resourceType,
        string id,
        Resource? resource,
        ResourceVersion? current,
        string method,
        IResourceReader reader,
        CancellationToken cancellationToken) =>
        (await PrepareWriteAsync(operation, resourceType, id, resource, current, method, reader, cancellationToken)).Writes;

    /// <summary>
    /// As <see cref="PrepareAsync(WriteOperation, string, string, Resource?, ResourceVersion?, string, IResourceReader, CancellationToken)"/>,
    /// with the resources the versions hold: a unit of work that lets later writes read them (an import batch) keeps
    /// these instead of parsing the versions' JSON again.
    /// </summary>
    public async Task<PreparedWrite> PrepareWriteAsync(
        WriteOperation operation,
        string resourceType,
        string id,
        Resource? resource,
        ResourceVersion? current,
        string method,
        IResourceReader reader,
        CancellationToken cancellationToken)
    {
        var now = Now();
        var versionId = (current?.VersionId ?? 0) + 1;
        if (resource is not null)
        {
            StampMeta(resource, id, versionId, now);
        }

        var previous = current is { IsDeleted: false } ? current.ToResource() : null;
        var context = new ResourceWriteContext(operation, resourceType, id, resource, previous, reader, serviceBase);
        foreach (var hook in _hooks[resourceType])
        {
            await hook.OnWriteAsync(context, cancellationToken);
        }

        foreach (var hook in _setHooks)
        {
            await hook.OnWriteSetAsync(context, cancellationToken);
        }

        var writes = new List<ResourceWrite> { ToWrite(resourceType, id, versionId, now, resource, method) };
        foreach (var dependent in context.DependentWrites)
        {
            writes.Add(await PrepareDependentAsync(dependent, context.IsDependentCreate(dependent), now, cancellationToken));
        }

        Resource?[] resources = [resource, .. context.DependentWrites];
        return new PreparedWrite(await integrity.EnforceAsync(writes, resources, reader, cancellationToken), resources);
    }

    private async Task<ResourceWrite> PrepareDependentAsync(Resource dependent, bool issuedId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var type = dependent.TypeName;
        EnsureSupported(type);
        if (string.IsNullOrEmpty(dependent.Id) || issuedId)
        {
            var newId = string.IsNullOrEmpty(dependent.Id) ? FhirId.New() : dependent.Id;
            StampMeta(dependent, newId, 1, now);
            return ToWrite(type, newId, 1, now, dependent, "POST");
        }

        // An id the hook did not issue: an update of that resource, or a create when nothing of that id is stored.
        var current = await store.ReadCurrentAsync(type, dependent.Id, cancellationToken);
        var versionId = (current?.VersionId ?? 0) + 1;
        StampMeta(dependent, dependent.Id, versionId, now);
        return ToWrite(type, dependent.Id, versionId, now, dependent, current is null ? "POST" : "PUT");
    }

    public async Task<WriteResult> CommitAsync(
        IReadOnlyList<ResourceWrite> writes,
        Resource? resource,
        bool created,
        CancellationToken cancellationToken)
    {
        await store.CommitAsync(writes, cancellationToken);
        return new WriteResult(writes[0].ToVersion(), resource, created);
    }

    private ResourceWrite ToWrite(string type, string id, int versionId, DateTimeOffset now, Resource? resource, string method) =>
        resource is null
            ? new ResourceWrite(type, id, versionId, now, IsDeleted: true, Json: null, method, Index: [])
            : new ResourceWrite(
                type,
                id,
                versionId,
                now,
                IsDeleted: false,
                FhirSerialization.ToStoredJson(resource),
                method,
                indexer.Extract(resource, serviceBase));

    private static void StampMeta(Resource resource, string id, int versionId, DateTimeOffset now)
    {
        resource.Id = id;
        resource.Meta ??= new Meta();
        resource.Meta.VersionId = versionId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        resource.Meta.LastUpdated = now;
    }

    /// <summary>Millisecond precision: what FHIR instants commonly carry, and what every store keeps exactly.</summary>
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private static void EnsureSupported(string resourceType) => ResourceReads.EnsureSupported(resourceType);

    private static void EnsureTypeMatches(string resourceType, Resource resource)
    {
        if (resource.TypeName != resourceType)
        {
            throw FhirOperationException.BadRequest(
                $"The body is a {resource.TypeName}, but the URL is for {resourceType}", "resourceType");
        }
    }

    private static void EnsureBodyMatches(string resourceType, string id, Resource resource)
    {
        EnsureTypeMatches(resourceType, resource);
        if (!FhirId.IsValid(id))
        {
            throw FhirOperationException.BadRequest($"'{id}' is not a valid FHIR id");
        }

        if (string.IsNullOrEmpty(resource.Id))
        {
            throw FhirOperationException.BadRequest("An update must carry the resource id in the body", $"{resourceType}.id");
        }

        if (resource.Id != id)
        {
            throw FhirOperationException.BadRequest(
                $"The body id '{resource.Id}' does not match the URL id '{id}'", $"{resourceType}.id");
        }
    }
}
