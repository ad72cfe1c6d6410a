using AllianceFhir.Api.Configuration;
using AllianceFhir.Core.Export;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Export;

public static class ExportServiceCollectionExtensions
{
    /// <summary>Bulk Data <c>$export</c>: its options, the export folder, the kick-off reader and the background worker.</summary>
    public static IServiceCollection AddFhirExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ExportOptions, ExportOptionsValidator>(configuration, ExportOptions.SectionName);
        services.AddSingleton(sp => new ExportFolder(Path.Combine(
            sp.GetRequiredService<IHostEnvironment>().ContentRootPath,
            sp.GetRequiredService<IOptions<ExportOptions>>().Value.Folder)));
        services.AddScoped(sp => new ExportKickOff(
            sp.GetRequiredService<Core.Security.AccessPolicy>(),
            new Core.Search.SearchQueryParser(sp.GetRequiredService<Core.Search.SearchParameterRegistry>(), sp.GetRequiredService<Core.References.ServiceBase>())));
        services.AddSingleton<ExportWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ExportWorker>());
        return services;
    }
}
