using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Core.Resources;

/// <summary>
/// Read and vread: what they answer for an unknown type, an unknown id or a deleted resource. Its own service, needing
/// only the request's store, so that a read by id does not build the write pipeline (<see cref="ResourceService"/> with
/// its search, hooks and referential checks) it never uses: that construction was ~3 % of a read's CPU
/// (docs/performance.md). <see cref="ResourceService"/> answers its reads through this class too.
/// </summary>
public sealed class ResourceReads(IResourceStore store)
{
    public async Task<ResourceVersion> ReadAsync(string resourceType, string id, CancellationToken cancellationToken)
    {
        EnsureSupported(resourceType);
        var current = await store.ReadCurrentAsync(resourceType, id, cancellationToken)
            ?? throw FhirOperationException.NotFound($"{resourceType}/{id} is not known");
        return current.IsDeleted
            ? throw new ResourceGoneException(current)
            : current;
    }

    public async Task<ResourceVersion> VReadAsync(string resourceType, string id, int versionId, CancellationToken cancellationToken)
    {
        EnsureSupported(resourceType);
        var version = await store.ReadVersionAsync(resourceType, id, versionId, cancellationToken)
            ?? throw FhirOperationException.NotFound($"{resourceType}/{id} has no version {versionId}");
        return version.IsDeleted
            ? throw new ResourceGoneException(version)
            : version;
    }

    internal static void EnsureSupported(string resourceType)
    {
        if (!SupportedResourceTypes.IsSupported(resourceType))
        {
            throw FhirOperationException.NotFound($"Resource type '{resourceType}' is not supported by this server");
        }
    }
}
