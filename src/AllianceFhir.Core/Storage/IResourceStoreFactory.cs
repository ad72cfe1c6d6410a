namespace AllianceFhir.Core.Storage;

/// <summary>
/// Where a store for one tenant comes from. A request's store is bound to its caller's tenant by the host; background
/// work (seeding the catalog, audit, jobs) asks here with the tenant it acts for, so no path reaches the data without one.
/// </summary>
public interface IResourceStoreFactory
{
    /// <summary>A store that reads and writes only <paramref name="tenant"/>'s rows (and the catalog's, per <see cref="Tenants.SeesCatalog"/>).</summary>
    IResourceStore ForTenant(string tenant);
}
