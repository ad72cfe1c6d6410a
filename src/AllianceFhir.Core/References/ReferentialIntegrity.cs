using System.Globalization;
using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.OperationOutcome;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.References;

/// <summary>
/// Keeps local references whole, as HAPI FHIR does by default: every <c>Type/id</c> (or <c>Type/id/_history/n</c>) a
/// write holds must name a current, not deleted resource of this server, or one the same request writes; and a resource
/// that live resources refer to cannot be deleted (unless <see cref="ReferentialIntegrityOnDelete.Off"/>).
/// Runs on the prepared writes of one request, before anything is stored; one per request scope.
/// </summary>
/// <remarks>
/// The checks read committed state and the commit follows them, not inside the same database transaction: a delete and
/// a new reference to the same resource racing each other can both pass. That window is a request's own duration.
/// </remarks>
/// <param name="serviceBase">
/// This server's base for the request: a reference that is an absolute URL under it must resolve as its relative form
/// must, and a referrer that spells it so keeps the referenced resource from being deleted (the index holds it as local).
/// </param>
/// <param name="mayKnow">
/// Whether the caller may know of a stored resource (null: of every one). A reference to one it may not know of fails
/// in the words a reference to nothing gets, and a refused delete names only the referrers it may know of, so that
/// writing a reference does not tell a caller with a restricted grant which ids exist outside it.
/// </param>
public sealed class ReferentialIntegrity(
    IResourceStore store,
    ReferentialIntegrityOnDelete onDelete,
    ServiceBase serviceBase,
    Func<ResourceVersion, CancellationToken, Task<bool>>? mayKnow = null)
{
    /// <summary>How many referring resources a refused delete names.</summary>
    public const int ListedReferrers = 10;

    /// <summary>
    /// Refuses the write (422, one issue per unresolved reference with its element path; or 409 for a delete of a
    /// referenced resource) and otherwise returns the writes with their references completed in the reference index
    /// (<see cref="UnindexedReferences"/>).
    /// </summary>
    /// <param name="writes">The versions one write produces: the resource itself first, then what its hooks derived.</param>
    /// <param name="resources">The resource of each write, in the same order; null for a delete.</param>
    /// <param name="reader">The reader the write was prepared with: in a transaction it sees the other entries.</param>
    public async Task<List<ResourceWrite>> EnforceAsync(
        IReadOnlyList<ResourceWrite> writes,
        IReadOnlyList<Resource?> resources,
        IResourceReader reader,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(reader);
        var written = new Dictionary<ResourceKey, ResourceWrite>();
        foreach (var write in writes)
        {
            written[new ResourceKey(write.ResourceType, write.Id)] = write;
        }

        var primary = writes[0];
        if (primary.IsDeleted && onDelete == ReferentialIntegrityOnDelete.Enforce)
        {
            await EnsureNotReferencedAsync(primary, written.Keys, reader, cancellationToken);
        }

        var result = new List<ResourceWrite>(writes.Count);
        var issues = new List<IssueComponent>();
        var resolved = new Dictionary<(ResourceKey, string?), string?>();
        for (var i = 0; i < writes.Count; i++)
        {
            if (resources[i] is not { } resource)
            {
                result.Add(writes[i]);
                continue;
            }

            var references = LocalReferences.Of(resource, serviceBase);
            foreach (var reference in references)
            {
                var key = new ResourceKey(reference.ResourceType, reference.Id);

                // What a write derives (the Observations a response's delete marks entered-in-error) keeps naming the
                // resource it came from: that is its provenance, not a new reference.
                if (i > 0 && key == new ResourceKey(primary.ResourceType, primary.Id))
                {
                    continue;
                }

                if (!resolved.TryGetValue((key, reference.Version), out var problem))
                {
                    problem = await ProblemAsync(reference, key, written, reader, cancellationToken);
                    resolved[(key, reference.Version)] = problem;
                }

                if (problem is not null)
                {
                    var derived = i == 0 ? string.Empty : $"The {resource.TypeName} this write derives: ";
                    issues.Add(Outcomes.Issue(
                        IssueSeverity.Error,
                        IssueType.NotFound,
                        $"{derived}{reference.Path} refers to {reference.Text}, {problem}. References to resources on this server must resolve",
                        reference.Path));
                }
            }

            result.Add(references.Count == 0 ? writes[i] : writes[i] with { Index = UnindexedReferences.Complete(writes[i].Index, references) });
        }

        if (issues.Count > 0)
        {
            var outcome = new OperationOutcome();
            outcome.Issue.AddRange(issues);
            throw FhirOperationException.Unprocessable(outcome);
        }

        return result;
    }

    private const string Unknown = "which does not exist on this server";

    /// <summary>Why the reference does not resolve, as the end of a sentence; null when it does.</summary>
    private async Task<string?> ProblemAsync(
        LocalReference reference,
        ResourceKey key,
        Dictionary<ResourceKey, ResourceWrite> written,
        IResourceReader reader,
        CancellationToken cancellationToken)
    {
        if (written.TryGetValue(key, out var sameRequest))
        {
            return sameRequest.IsDeleted
                ? "which this same request deletes"
                : await VersionProblemAsync(reference, sameRequest.VersionId, cancellationToken);
        }

        if (!SupportedResourceTypes.IsSupported(key.ResourceType))
        {
            return $"but this server stores no {key.ResourceType} resources";
        }

        var pending = reader.PendingChanges.Contains(key);
        if (!pending && mayKnow is not null
            && await store.ReadCurrentAsync(key.ResourceType, key.Id, cancellationToken) is { } stored
            && !await mayKnow(stored, cancellationToken))
        {
            return Unknown;
        }

        if (!await reader.ExistsAsync(key.ResourceType, key.Id, cancellationToken))
        {
            if (pending)
            {
                return "which another entry of this transaction deletes";
            }

            var current = await store.ReadCurrentAsync(key.ResourceType, key.Id, cancellationToken);
            return current is { IsDeleted: true } ? "which has been deleted" : Unknown;
        }

        if (reference.Version is null)
        {
            return null;
        }

        // A transaction entry may name the version that entry is about to create (the next one).
        int? upcoming = pending ? ((await store.ReadCurrentAsync(key.ResourceType, key.Id, cancellationToken))?.VersionId ?? 0) + 1 : null;
        return await VersionProblemAsync(reference, upcoming, cancellationToken);
    }

    private async Task<string?> VersionProblemAsync(LocalReference reference, int? versionBeingWritten, CancellationToken cancellationToken)
    {
        if (reference.Version is null || (reference.VersionId is int v && v == versionBeingWritten))
        {
            return null;
        }

        if (reference.VersionId is not int versionId)
        {
            return $"but '{reference.Version}' is not a version this server issues";
        }

        var version = await store.ReadVersionAsync(reference.ResourceType, reference.Id, versionId, cancellationToken);
        return version switch
        {
            null => $"but {reference.ResourceType}/{reference.Id} has no version {versionId.ToString(CultureInfo.InvariantCulture)}",
            { IsDeleted: true } => $"but version {versionId.ToString(CultureInfo.InvariantCulture)} of {reference.ResourceType}/{reference.Id} records its deletion",
            _ => null,
        };
    }

    /// <summary>
    /// 409 when live resources refer to the one being deleted. Those this same request writes are not counted: a
    /// transaction that also deletes them or removes the reference is judged on what it writes, and each of its updates
    /// is checked on its own (a reference that still names the deleted resource fails there).
    /// </summary>
    private async Task EnsureNotReferencedAsync(
        ResourceWrite delete,
        IEnumerable<ResourceKey> writtenTogether,
        IResourceReader reader,
        CancellationToken cancellationToken)
    {
        var excluded = new HashSet<ResourceKey>(writtenTogether);
        excluded.UnionWith(reader.PendingChanges);

        // Asking for as many more as could be excluded still yields ListedReferrers + 1 live ones when they exist.
        var found = await store.FindReferrersAsync(delete.ResourceType, delete.Id, ListedReferrers + 1 + excluded.Count, cancellationToken);
        var referrers = found.Where(k => !excluded.Contains(k)).ToList();
        if (referrers.Count == 0)
        {
            return;
        }

        var target = $"{delete.ResourceType}/{delete.Id}";
        var count = referrers.Count > ListedReferrers
            ? $"more than {ListedReferrers.ToString(CultureInfo.InvariantCulture)} resources refer"
            : referrers.Count == 1 ? "1 resource refers" : $"{referrers.Count.ToString(CultureInfo.InvariantCulture)} resources refer";
        var outcome = Outcomes.Create(
            IssueSeverity.Error,
            IssueType.BusinessRule,
            $"{target} cannot be deleted: {count} to it. Delete those resources or remove their references first "
            + "(or delete them together in one transaction); this server keeps references whole");
        foreach (var referrer in await KnownAsync(referrers.Take(ListedReferrers), cancellationToken))
        {
            outcome.Issue.Add(Outcomes.Issue(IssueSeverity.Information, IssueType.BusinessRule, $"{referrer} refers to {target}"));
        }

        throw new FhirOperationException(HttpStatusCode.Conflict, outcome);
    }

    private async Task<List<ResourceKey>> KnownAsync(IEnumerable<ResourceKey> keys, CancellationToken cancellationToken)
    {
        var known = new List<ResourceKey>();
        foreach (var key in keys)
        {
            if (mayKnow is null
                || (await store.ReadCurrentAsync(key.ResourceType, key.Id, cancellationToken) is { } stored && await mayKnow(stored, cancellationToken)))
            {
                known.Add(key);
            }
        }

        return known;
    }
}
