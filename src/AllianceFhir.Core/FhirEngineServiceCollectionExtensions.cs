using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Core;

public static class FhirEngineServiceCollectionExtensions
{
    /// <summary>
    /// The FHIR engine: search parameters and indexing, the access policy, and the per-request services (resource, search
    /// and Bundle handling, the <see cref="IResourceReader"/> hooks and operations read through). The host registers the
    /// scoped <see cref="IResourceStore"/> they share, bound to the caller's tenant, and may set
    /// <see cref="FhirEngineOptions"/>.
    /// </summary>
    public static IServiceCollection AddFhirEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<FhirEngineOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new SearchParameterRegistry(SupportedResourceTypes.All));
        services.TryAddSingleton<ISearchIndexer, SearchIndexer>();
        services.TryAddSingleton<PatientCompartment>();
        services.TryAddSingleton<AccessPolicy>();

        // Outside a host that knows its base (tests of the engine, tools), only relative references are local.
        services.TryAddScoped(_ => ServiceBase.None);
        services.TryAddScoped(sp => NewIntegrity(sp, sp.GetRequiredService<IResourceStore>()));
        services.TryAddScoped<SearchService>();
        services.TryAddScoped<IResourceReader, StoreResourceReader>();
        services.TryAddScoped<ResourceReads>();
        services.TryAddScoped<ResourceService>();
        services.TryAddScoped<BundleService>();
        return services;
    }

    /// <summary>
    /// A resource service over an explicitly chosen store, for work outside a request (catalog seeding, background
    /// writers); inside a request resolve <see cref="ResourceService"/>, which is bound to the caller's tenant.
    /// </summary>
    /// <param name="serviceBase">The base the work takes as this server's (a job's own); null: the one the provider knows.</param>
    public static ResourceService ResourceServiceFor(this IServiceProvider services, IResourceStore store, ServiceBase? serviceBase = null)
    {
        serviceBase ??= services.GetRequiredService<ServiceBase>();
        var search = ActivatorUtilities.CreateInstance<SearchService>(services, store, serviceBase);
        return ActivatorUtilities.CreateInstance<ResourceService>(
            services, store, search, new StoreResourceReader(store, search), NewIntegrity(services, store, serviceBase), serviceBase);
    }

    /// <summary>The reader over an explicitly chosen store, as <see cref="ResourceServiceFor"/> is the service.</summary>
    public static IResourceReader ResourceReaderFor(this IServiceProvider services, IResourceStore store, ServiceBase? serviceBase = null) =>
        new StoreResourceReader(store, ActivatorUtilities.CreateInstance<SearchService>(services, store, serviceBase ?? services.GetRequiredService<ServiceBase>()));

    private static ReferentialIntegrity NewIntegrity(IServiceProvider services, IResourceStore store, ServiceBase? serviceBase = null) =>
        new(store, services.GetRequiredService<IOptions<FhirEngineOptions>>().Value.ReferentialIntegrityOnDelete, serviceBase ?? services.GetRequiredService<ServiceBase>());
}

/// <summary>The engine's settings; the host binds them from its configuration.</summary>
public sealed class FhirEngineOptions
{
    /// <summary>What a delete of a resource that live resources refer to does (<c>Fhir:ReferentialIntegrityOnDelete</c>).</summary>
    public ReferentialIntegrityOnDelete ReferentialIntegrityOnDelete { get; set; } = ReferentialIntegrityOnDelete.Enforce;
}
