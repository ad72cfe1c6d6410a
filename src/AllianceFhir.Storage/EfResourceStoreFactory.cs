using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Storage;

/// <summary>
/// Makes the stores of one DI scope: each bound to the tenant asked for, all sharing the scope's context and the
/// provider's reader and committer (SQLite's are singletons that take the tenant with each call).
/// </summary>
public sealed class EfResourceStoreFactory(
    IServiceProvider services,
    SearchParameterRegistry registry,
    TimeProvider clock,
    IVersionReader reader,
    IVersionCommitter committer) : IResourceStoreFactory
{
    public IResourceStore ForTenant(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        if (tenant.Length > Tenants.MaxLength)
        {
            throw new ArgumentException($"A tenant name has at most {Tenants.MaxLength} characters", nameof(tenant));
        }

        return new EfResourceStore(new Lazy<FhirDbContext>(services.GetRequiredService<FhirDbContext>), registry, clock, reader, committer, tenant);
    }
}
