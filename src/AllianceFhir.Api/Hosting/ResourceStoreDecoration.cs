using AllianceFhir.Core.Storage;

namespace AllianceFhir.Api.Hosting;

public static class ResourceStoreDecoration
{
    /// <summary>Wraps the store registered so far (keeping its lifetime); call after the store and earlier decorators.</summary>
    public static IServiceCollection DecorateResourceStore(this IServiceCollection services, Func<IServiceProvider, IResourceStore, IResourceStore> decorate)
    {
        ArgumentNullException.ThrowIfNull(decorate);
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IResourceStore))
            ?? throw new InvalidOperationException("Register the resource store before decorating it");
        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(typeof(IResourceStore), sp => decorate(sp, Resolve(registered, sp)), registered.Lifetime));
        return services;
    }

    private static IResourceStore Resolve(ServiceDescriptor descriptor, IServiceProvider services) => descriptor switch
    {
        { ImplementationFactory: { } create } => (IResourceStore)create(services),
        { ImplementationType: { } type } => (IResourceStore)ActivatorUtilities.CreateInstance(services, type),
        { ImplementationInstance: IResourceStore instance } => instance,
        _ => throw new InvalidOperationException("The resource store registration cannot be decorated"),
    };
}
