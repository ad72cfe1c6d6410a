using AllianceFhir.Core.Subscriptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Storage;

/// <summary>A tenant's current Subscriptions, for the (singleton) subscription cache: a scope of its own per load.</summary>
internal sealed class EfSubscriptionSource(IServiceScopeFactory scopes) : ISubscriptionSource
{
    public async Task<IReadOnlyList<string>> LoadAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        const string type = "Subscription";
        var rows = await db.Resources.AsNoTracking()
            .Where(r => r.TenantId == tenant && r.ResourceType == type && !r.IsHistory && !r.IsDeleted)
            .OrderBy(r => r.Surrogate)
            .Select(r => r.Json)
            .ToListAsync(cancellationToken);
        return [.. rows.OfType<string>()];
    }

    public async Task<IReadOnlyList<string>> TenantsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        const string type = "Subscription";
        return await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == type && !r.IsHistory && !r.IsDeleted)
            .Select(r => r.TenantId)
            .Distinct()
            .ToListAsync(cancellationToken);
    }
}
