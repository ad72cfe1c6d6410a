using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using AllianceFhir.Core.Tests.Search;
using AllianceFhir.Core.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Core.Tests.Engine;

/// <summary>
/// Core as a host registers it (<see cref="FhirEngineServiceCollectionExtensions.AddFhirEngine"/>), over an
/// <see cref="InMemoryResourceStore"/>; each <see cref="Scope"/> is one request of the development user.
/// </summary>
internal sealed class EngineHost : IDisposable
{
    public const string BaseUrl = "https://fhir.example.org/fhir";

    private readonly ServiceProvider _services;

    /// <param name="configure">More registrations (e.g. write hooks) before the provider is built.</param>
    public EngineHost(Action<IServiceCollection>? configure = null)
    {
        Store = new InMemoryResourceStore(SearchSetup.Indexer);
        var services = new ServiceCollection();
        services.AddSingleton(SearchSetup.Registry);
        services.AddSingleton<ISearchIndexer>(SearchSetup.Indexer);
        services.AddScoped<IResourceStore>(_ => Store);
        services.AddFhirEngine();
        configure?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public InMemoryResourceStore Store { get; }

    public static SearchCall Call { get; } = new(BaseUrl, AccessContext.Development);

    public static BundleRequestContext BundleContext { get; } = new(BaseUrl, ReturnPreference.Representation, MaxEntries: 100, AccessContext.Development);

    public IServiceScope Scope() => _services.CreateScope();

    public static ResourceService Resources(IServiceScope scope) => scope.ServiceProvider.GetRequiredService<ResourceService>();

    public void Dispose() => _services.Dispose();
}
