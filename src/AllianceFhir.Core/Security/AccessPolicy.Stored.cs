using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Security;

/// <summary>
/// Interactions on stored resources by id under a restricted grant, decided so that nothing tells a resource outside
/// the grant from one that does not exist. A resource can move into or out of the compartment from one version to the
/// next, so each version is judged on its own content: a version that was a member is readable even after the resource
/// moved out, and one that was not stays hidden after it moved in. A version that records a delete is judged on the
/// content it deleted, so a member's deletion answers 410 and shows in its history.
/// </summary>
public sealed partial class AccessPolicy
{
    /// <summary>
    /// Throws the 404 an unknown resource (or version) gets when the caller may not read this one; returns when it may, or
    /// when there is nothing stored (the interaction answers that itself, with the same words).
    /// </summary>
    /// <param name="versionId">The version a vread asks for; null for the current version.</param>
    public async System.Threading.Tasks.Task DemandReadableAsync(
        AccessContext caller, IResourceStore store, string type, string id, int? versionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(store);
        if (!IsRestricted(caller, type, Permissions.Read))
        {
            return;
        }

        var version = versionId is { } asked
            ? await store.ReadVersionAsync(type, id, asked, cancellationToken)
            : await store.ReadCurrentAsync(type, id, cancellationToken);
        if (version is not null && !await GrantsAsync(caller, store, Permissions.Read, version, [], cancellationToken))
        {
            throw FhirOperationException.NotFound(versionId is { } n ? $"{type}/{id} has no version {n}" : $"{type}/{id} is not known");
        }
    }

    /// <summary>The versions of a history page the caller may read, in the same order.</summary>
    public async Task<IReadOnlyList<ResourceVersion>> ReadableVersionsAsync(
        AccessContext caller, IResourceStore store, IReadOnlyList<ResourceVersion> versions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(versions);
        if (!versions.Any(v => IsRestricted(caller, v.ResourceType, Permissions.Read)))
        {
            return versions;
        }

        // A delete's content is usually the next entry of the same page (history is newest first).
        var page = versions.ToDictionary(v => (v.ResourceType, v.Id, v.VersionId));
        var readable = new List<ResourceVersion>(versions.Count);
        foreach (var version in versions)
        {
            if (!IsRestricted(caller, version.ResourceType, Permissions.Read) || await GrantsAsync(caller, store, Permissions.Read, version, page, cancellationToken))
            {
                readable.Add(version);
            }
        }

        return readable;
    }

    /// <summary>
    /// An update or delete by id (<c>PUT</c>/<c>DELETE [type]/[id]</c>, or a Bundle entry) under a restricted grant. The
    /// id must name a resource the grant covers (its current content, or for a deleted one the content it deleted);
    /// any other id, known or not, gets one answer: a delete 404, as an unknown resource; an update 403, since such a
    /// token cannot create through PUT with an id it chooses (which would tell a free id from one taken outside the
    /// grant). The new content of an update, when given, must lie inside the grant too.
    /// </summary>
    public async System.Threading.Tasks.Task DemandWritableByIdAsync(
        AccessContext caller, IResourceStore store, Permissions permission, string type, string id, Resource? incoming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(store);
        if (!IsRestricted(caller, type, permission))
        {
            return;
        }

        var current = await store.ReadCurrentAsync(type, id, cancellationToken);
        if (current is null || !await GrantsAsync(caller, store, permission, current, [], cancellationToken))
        {
            throw permission == Permissions.Delete
                ? FhirOperationException.NotFound($"{type}/{id} is not known")
                : Refusal(
                    $"{type}/{id} is not a {type} this token may update: with patient/ or search-filtered scopes, PUT updates only resources "
                    + "inside what they grant, and new resources are created with POST (the server assigns the id)");
        }

        DemandWrite(caller, permission, incoming);
    }

    /// <summary>
    /// Whether the caller may learn that this stored resource exists, for answers about resources it did not ask for by
    /// id (what a write's reference names, what refers to a resource it deletes): always, unless a restricted read
    /// grant on the type does not cover it.
    /// </summary>
    public async Task<bool> MayKnowAsync(AccessContext caller, IResourceStore store, ResourceVersion version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(version);
        return !IsRestricted(caller, version.ResourceType, Permissions.Read)
            || await GrantsAsync(caller, store, Permissions.Read, version, [], cancellationToken);
    }

    /// <summary>Whether the grant covers a stored version: its content, or for a version recording a delete, the content it deleted.</summary>
    private async Task<bool> GrantsAsync(
        AccessContext caller,
        IResourceStore store,
        Permissions permission,
        ResourceVersion version,
        Dictionary<(string ResourceType, string Id, int VersionId), ResourceVersion> known,
        CancellationToken cancellationToken)
    {
        var content = version;
        while (content is { IsDeleted: true, VersionId: > 1 })
        {
            var previous = (content.ResourceType, content.Id, content.VersionId - 1);
            content = known.TryGetValue(previous, out var held)
                ? held
                : await store.ReadVersionAsync(previous.ResourceType, previous.Id, previous.Item3, cancellationToken);
        }

        return content is { IsDeleted: false } && content.ToResource() is { } resource && Permits(caller, permission, resource);
    }
}
