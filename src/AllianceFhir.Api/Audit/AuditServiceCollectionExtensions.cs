using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Api.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// The AuditEvent trail: the per-request scope, the store decorator that puts each write's AuditEvent in its commit,
    /// and the queue and background writer for everything else. Call after the store is registered.
    /// </summary>
    public static IServiceCollection AddFhirAudit(this IServiceCollection services)
    {
        var store = services.LastOrDefault(d => d.ServiceType == typeof(IResourceStore))
            ?? throw new InvalidOperationException("Register the resource store before the audit trail");
        services.Remove(store);
        services.Add(ServiceDescriptor.Describe(
            typeof(IResourceStore),
            sp => new AuditingResourceStore(Resolve(store, sp), sp.GetRequiredService<AuditScope>()),
            store.Lifetime));

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

    private static IResourceStore Resolve(ServiceDescriptor descriptor, IServiceProvider services) => descriptor switch
    {
        { ImplementationFactory: { } create } => (IResourceStore)create(services),
        { ImplementationType: { } type } => (IResourceStore)ActivatorUtilities.CreateInstance(services, type),
        { ImplementationInstance: IResourceStore instance } => instance,
        _ => throw new InvalidOperationException("The resource store registration cannot be decorated"),
    };
}
