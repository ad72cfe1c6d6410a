using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// The store as the API registers it (the SQLite group committer for writes, EF for reads and searches) over a file
/// of the benchmark's choosing, for the benchmarks that write or search in process. Linked into both benchmark projects.
/// </summary>
internal static class BenchStorage
{
    public static ServiceProvider Services(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SearchParameterRegistry(SupportedResourceTypes.All));
        services.Configure<StorageOptions>(o => o.ConnectionString = $"Data Source={path}");
        services.AddFhirStorage();
        return services.BuildServiceProvider();
    }
}
