using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Endpoints;
using AllianceFhir.Api.Errors;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using AllianceFhir.Instruments;
using AllianceFhir.Instruments.Monitoring;
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

        // Registered before the engine, whose own registration (TryAdd) then stands aside: inside a request the
        // checks must not reveal resources the caller may not see.
        services.AddScoped(sp => RequestIntegrity(sp, sp.GetRequiredService<IResourceStore>()));
        services.AddHttpContextAccessor();
        services.AddScoped(FhirUrls.ServiceBaseOf);
        services.AddFhirEngine();
        services.AddOptions<FhirEngineOptions>().Configure<IOptions<FhirServerOptions>>(
            (engine, server) => engine.ReferentialIntegrityOnDelete = server.Value.ReferentialIntegrityOnDelete);
        services.AddSingleton<FhirRequestReader>();
        services.AddSingleton<CapabilityStatementFactory>();
        services.AddSingleton<ICapabilityContributor, SearchCapabilityContributor>();
        services.AddSingleton<ICapabilityContributor, ReferencePolicyCapability>();
        services.AddSingleton(sp => sp.GetServices<ICapabilityContributor>().ToArray());

        services.AddAllianceInstruments(o => configuration.GetSection(InstrumentOptions.SectionName).Bind(o));
        services.Configure<MonitoringOptions>(configuration.GetSection(MonitoringOptions.SectionName));
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

    /// <summary>Inside a request, the reference checks say nothing about resources the caller's restricted grants hide.</summary>
    private static ReferentialIntegrity RequestIntegrity(IServiceProvider services, IResourceStore store)
    {
        var onDelete = services.GetRequiredService<IOptions<FhirEngineOptions>>().Value.ReferentialIntegrityOnDelete;
        var serviceBase = services.GetRequiredService<ServiceBase>();
        if (services.GetService<IHttpContextAccessor>()?.HttpContext?.FindAccessContext() is not { } caller)
        {
            return new(store, onDelete, serviceBase);
        }

        var policy = services.GetRequiredService<AccessPolicy>();
        return new(store, onDelete, serviceBase, (stored, ct) => policy.MayKnowAsync(caller, store, stored, ct));
    }
}
