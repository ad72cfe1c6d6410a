using AllianceFhir.Core.Storage;

namespace AllianceFhir.Api.Security;

/// <summary>
/// The store a request's services (resource, Bundle and search handling, write hooks, referential checks) share: bound
/// to the caller's tenant, which the access middleware has put in the caller context before any endpoint runs. Binding
/// once here, rather than passing the tenant through every Core call, means no path can reach the data with another
/// tenant or none; work outside a request asks <see cref="IResourceStoreFactory"/> with its tenant instead.
/// </summary>
public static class RequestStore
{
    public static IServiceCollection AddRequestStore(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddScoped(sp =>
        {
            var http = sp.GetRequiredService<IHttpContextAccessor>().HttpContext
                ?? throw new InvalidOperationException("A store outside a request: ask IResourceStoreFactory.ForTenant with the tenant the work is for");
            var tenant = http.GetAccessContext().Tenant
                ?? throw new InvalidOperationException("The caller has no tenant: the FHIR access middleware resolves one for every caller");
            return sp.GetRequiredService<IResourceStoreFactory>().ForTenant(tenant);
        });
        return services;
    }
}
