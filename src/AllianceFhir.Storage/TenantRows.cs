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

    /// <summary>
    /// The index rows of one parameter this tenant may see for these types, by the lookup indexes' leading key: its
    /// own (tenant, type, parameter) keys and, for definitional types, the catalog's. The key implies tenant and type,
    /// so no other column needs checking.
    /// </summary>
    public Expression<Func<T, bool>> Param<T>(IReadOnlyList<string> types, string paramName)
        where T : SearchIndexEntity
    {
        var keys = types.Distinct(StringComparer.Ordinal).Select(t => ParamKeys.Of(Tenant, t, paramName))
            .Concat(Shared(types).Select(t => ParamKeys.Of(Tenants.Catalog, t, paramName)))
            .ToList();
        if (keys.Count == 1)
        {
            var key = keys[0];
            return x => x.ParamKey == key;
        }

        return x => keys.Contains(x.ParamKey);
    }

    private List<string> Shared(IReadOnlyList<string> types) =>
        [.. types.Where(t => Tenants.SeesCatalog(Tenant, t)).Distinct(StringComparer.Ordinal)];
}
