using AllianceFhir.Api.Hosting;
using AllianceFhir.Core.Audit;

namespace AllianceFhir.Api.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// The AuditEvent trail: the per-request scope, the store decorator that puts each write's AuditEvent in its commit,
    /// and the queue and background writer for everything else. Call after the store is registered.
    /// </summary>
    public static IServiceCollection AddFhirAudit(this IServiceCollection services)
    {
        services.DecorateResourceStore((sp, store) => new AuditingResourceStore(store, sp.GetRequiredService<AuditScope>()));
        services.AddScoped<AuditScope>();
        services.AddSingleton<AuditBacklog>();
        services.AddHostedService<AuditWriter>();
        return services;
    }

    /// <summary>Outside the exception handler, so that it records the status the client got. Call before UseExceptionHandler.</summary>
    public static WebApplication UseFhirAudit(this WebApplication app)
    {
        app.UseMiddleware<AuditMiddleware>();
        return app;
    }
}
