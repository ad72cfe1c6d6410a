using System.Linq.Expressions;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;

namespace AllianceFhir.Storage;

/// <summary>
/// The rows one tenant's queries may see: its own, and for definitional types the catalog tenant's too
/// (<see cref="Tenants.SeesCatalog"/>). A query over types none of which are shared keeps the plain
/// <c>TenantId = @tenant</c> predicate, so the hot paths keep their plans.
/// </summary>
internal sealed class TenantRows(string tenant)
{
    public string Tenant { get; } = tenant;

    public Expression<Func<ResourceEntity, bool>> Resources(IReadOnlyList<string> types)
    {
        var (own, catalog) = (Tenant, Tenants.Catalog);
        var shared = Shared(types);
        if (shared.Count == 0)
        {
            return r => r.TenantId == own;
        }

        return shared.Count == types.Distinct().Count()
            ? r => r.TenantId == own || r.TenantId == catalog
            : r => r.TenantId == own || (r.TenantId == catalog && shared.Contains(r.ResourceType));
    }

    public Expression<Func<T, bool>> Index<T>(IReadOnlyList<string> types)
        where T : SearchIndexEntity
    {
        var (own, catalog) = (Tenant, Tenants.Catalog);
        var shared = Shared(types);
        if (shared.Count == 0)
        {
            return x => x.TenantId == own;
        }

        return shared.Count == types.Distinct().Count()
            ? x => x.TenantId == own || x.TenantId == catalog
            : x => x.TenantId == own || (x.TenantId == catalog && shared.Contains(x.ResourceType));
    }

    private List<string> Shared(IReadOnlyList<string> types) =>
        [.. types.Where(t => Tenants.SeesCatalog(Tenant, t)).Distinct(StringComparer.Ordinal)];
}
