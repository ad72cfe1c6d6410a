using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Endpoints;
using AllianceFhir.Api.Errors;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Core;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using AllianceFhir.Instruments;
using AllianceFhir.Storage;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Hosting;

public static class FhirApiServiceCollectionExtensions
{
    /// <summary>Everything the FHIR API needs: configuration, storage, the resource service, errors, OpenAPI and health.</summary>
    public static IServiceCollection AddFhirServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddFhirConfiguration(configuration);
        services.AddFhirStorage();

        services.AddFhirEngine();
        services.AddOptions<FhirEngineOptions>().Configure<IOptions<FhirServerOptions>>(
            (engine, server) => engine.ReferentialIntegrityOnDelete = server.Value.ReferentialIntegrityOnDelete);
        services.AddSingleton<FhirRequestReader>();
        services.AddSingleton<CapabilityStatementFactory>();
        services.AddSingleton<ICapabilityContributor, SearchCapabilityContributor>();
        services.AddSingleton<ICapabilityContributor, ReferencePolicyCapability>();
        services.AddSingleton(sp => sp.GetServices<ICapabilityContributor>().ToArray());

        services.AddAllianceInstruments(o => configuration.GetSection(InstrumentOptions.SectionName).Bind(o));
        services.AddSingleton<ICapabilityContributor, InstrumentOperationsCapability>();

        services.AddExceptionHandler<FhirExceptionHandler>();
        services.AddProblemDetails();
        services.AddFhirOpenApi();
        services.AddHealthChecks().AddDbContextCheck<FhirDbContext>("database");
        return services;
    }

    /// <summary>
    /// A resource service over an explicitly chosen tenant's store, for work outside a request (catalog seeding,
    /// background writers); inside a request resolve <see cref="ResourceService"/>, which is bound to the caller's tenant.
    /// </summary>
    public static ResourceService ResourceServiceFor(this IServiceProvider scope, string tenant) =>
        scope.ResourceServiceFor(scope.GetRequiredService<IResourceStoreFactory>().ForTenant(tenant));
}
