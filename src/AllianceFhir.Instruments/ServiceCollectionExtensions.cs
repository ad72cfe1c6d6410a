using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Catalog;
using AllianceFhir.Instruments.Monitoring;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AllianceFhir.Instruments;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the instrument catalog, the scoring engine, the response processor, and the write hooks (as
    /// <see cref="IResourceWriteHook"/>s): the catalog guards (shipped Questionnaires and CodeSystems are read-only
    /// through the API), QuestionnaireResponse (validate, score, extract) and Questionnaire (reject definitions the
    /// pipeline could not evaluate), and the monitoring rules over every write's score Observations
    /// (<see cref="IWriteSetHook"/>). Bind <see cref="InstrumentOptions"/> from the
    /// <c>Instruments</c> section, e.g. <c>services.AddAllianceInstruments(o => configuration.GetSection("Instruments").Bind(o))</c>.
    /// </summary>
    public static IServiceCollection AddAllianceInstruments(this IServiceCollection services, Action<InstrumentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<InstrumentOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<InstrumentCatalog>();
        services.TryAddSingleton<ScoringEngine>();
        services.TryAddSingleton<QuestionnaireResponseProcessor>();
        services.TryAddSingleton<QuestionnaireDefinitionValidator>();
        services.TryAddSingleton<MonitoringRules>();
        services.TryAddSingleton<MonitoringEvaluator>();
        // The catalog guards first: a write to a shipped resource is refused before anything else looks at it.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceWriteHook, QuestionnaireCatalogGuard>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceWriteHook, CodeSystemCatalogGuard>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceWriteHook, QuestionnaireResponseWriteHook>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceWriteHook, QuestionnaireWriteHook>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWriteSetHook, MonitoringWriteSetHook>());
        return services;
    }
}
