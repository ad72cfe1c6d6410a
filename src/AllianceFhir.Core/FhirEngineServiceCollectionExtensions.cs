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
    public static ResourceService ResourceServiceFor(this IServiceProvider services, IResourceStore store)
    {
        var search = ActivatorUtilities.CreateInstance<SearchService>(services, store);
        return ActivatorUtilities.CreateInstance<ResourceService>(services, store, search, new StoreResourceReader(store, search), NewIntegrity(services, store));
    }

    /// <summary>The reader over an explicitly chosen store, as <see cref="ResourceServiceFor"/> is the service.</summary>
    public static IResourceReader ResourceReaderFor(this IServiceProvider services, IResourceStore store) =>
        new StoreResourceReader(store, ActivatorUtilities.CreateInstance<SearchService>(services, store));

    private static ReferentialIntegrity NewIntegrity(IServiceProvider services, IResourceStore store) =>
        new(store, services.GetRequiredService<IOptions<FhirEngineOptions>>().Value.ReferentialIntegrityOnDelete);
}

/// <summary>The engine's settings; the host binds them from its configuration.</summary>
public sealed class FhirEngineOptions
{
    /// <summary>What a delete of a resource that live resources refer to does (<c>Fhir:ReferentialIntegrityOnDelete</c>).</summary>
    public ReferentialIntegrityOnDelete ReferentialIntegrityOnDelete { get; set; } = ReferentialIntegrityOnDelete.Enforce;
}
