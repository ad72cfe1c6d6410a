using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>The resources one unit of work changes, by identity and by the entry that changes each.</summary>
internal sealed class PendingResources
{
    private readonly Dictionary<(string Type, string Id), Pending> _byKey = [];
    private readonly Dictionary<int, Pending> _byEntry = [];
    private readonly HashSet<ResourceKey> _keys = [];

    public IReadOnlyCollection<Pending> All => _byKey.Values;

    /// <summary>What <see cref="Pipeline.IResourceReader.PendingChanges"/> reports.</summary>
    public IReadOnlyCollection<ResourceKey> Keys => _keys;

    /// <summary>Gives the entry's resource its identity; a second entry on the same resource is a 400.</summary>
    public void Register(BundleEntryRequest entry, string id, Resource? resource)
    {
        var key = (entry.ResourceType, id);
        if (_byKey.TryGetValue(key, out var other))
        {
            throw FhirOperationException.BadRequest(
                $"{entry.ResourceType}/{id} is also changed by {other.Entry.Describe()}; a transaction may touch each resource only once");
        }

        if (resource is not null)
        {
            // Set now so that _id conditions and hook lookups see the identity the resource will have.
            resource.Id = id;
        }

        var pending = new Pending(entry, entry.ResourceType, id, resource);
        _byKey[key] = pending;
        _byEntry[entry.Index] = pending;
        _keys.Add(new ResourceKey(entry.ResourceType, id));
    }

    /// <summary>A resource a write hook derived while preparing <paramref name="entry"/>; a later derivation replaces it.</summary>
    public void RegisterDerived(BundleEntryRequest entry, string resourceType, string id, Resource? resource)
    {
        var key = (resourceType, id);
        _byKey[key] = new Pending(entry, resourceType, id, resource) { IsDerived = true };
        _keys.Add(new ResourceKey(resourceType, id));
    }

    public bool IsDerived(string resourceType, string id) => _byKey.TryGetValue((resourceType, id), out var p) && p.IsDerived;

    public bool TryGet(string resourceType, string id, out Pending pending) => _byKey.TryGetValue((resourceType, id), out pending!);

    public bool Contains(string resourceType, string id) => _byKey.ContainsKey((resourceType, id));

    public bool TryGetByEntry(int index, out Pending pending) => _byEntry.TryGetValue(index, out pending!);
}

/// <summary>A resource a unit of work changes: its content (null for a delete) and, once prepared, its new version.</summary>
internal sealed class Pending(BundleEntryRequest entry, string type, string id, Resource? resource)
{
    public BundleEntryRequest Entry { get; } = entry;

    public string Type { get; } = type;

    public string Id { get; } = id;

    public Resource? Resource { get; } = resource;

    public ResourceWrite? Write { get; set; }

    /// <summary>Derived by a write hook, not written by an entry of its own.</summary>
    public bool IsDerived { get; init; }
}
