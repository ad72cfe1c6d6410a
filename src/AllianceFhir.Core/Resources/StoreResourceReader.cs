using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Resources;

/// <summary>
/// The <see cref="IResourceReader"/> of a request (or of work outside one): current stored resources, straight from the
/// store, and searches through <see cref="SearchService"/>. A transaction's hooks get its own reader instead, which sees
/// the transaction's pending resources too.
/// </summary>
public sealed class StoreResourceReader(IResourceStore store, SearchService search) : IResourceReader
{
    /// <summary>Hooks look up a handful of related resources; a cap keeps a bad query from loading a table.</summary>
    private const int SearchLimit = 1000;

    public async Task<Resource?> ReadAsync(string resourceType, string id, CancellationToken cancellationToken)
    {
        var version = await store.ReadCurrentAsync(resourceType, id, cancellationToken);
        return version is null || version.IsDeleted ? null : SharedDefinitions.Materialize(version);
    }

    /// <summary>Referential checks ask this for every reference a write holds; the stored JSON need not be parsed for it.</summary>
    public async Task<bool> ExistsAsync(string resourceType, string id, CancellationToken cancellationToken) =>
        await store.ReadCurrentAsync(resourceType, id, cancellationToken) is { IsDeleted: false };

    public async Task<IReadOnlyList<Resource>> SearchAsync(
        string resourceType,
        IReadOnlyList<KeyValuePair<string, string>> parameters,
        CancellationToken cancellationToken)
    {
        var versions = await search.FindCurrentAsync(resourceType, parameters, SearchLimit, cancellationToken);
        return [.. versions.Select(v => SharedDefinitions.Materialize(v)!)];
    }
}
