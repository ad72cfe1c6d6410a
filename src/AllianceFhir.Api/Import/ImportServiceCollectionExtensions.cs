using AllianceFhir.Api.Configuration;
using AllianceFhir.Core.Import;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Import;

public static class ImportServiceCollectionExtensions
{
    /// <summary>
    /// Both imports: the <c>Import</c> options they share, then <c>$import</c> (the import folder, the input fetcher and
    /// the background worker) and <c>QuestionnaireResponse/$import-spreadsheet</c>.
    /// </summary>
    public static IServiceCollection AddFhirImport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ImportOptions, ImportOptionsValidator>(configuration, ImportOptions.SectionName);
        services.AddSingleton(sp => new ImportFolder(Path.Combine(
            sp.GetRequiredService<IHostEnvironment>().ContentRootPath,
            sp.GetRequiredService<IOptions<ImportOptions>>().Value.Folder)));
        services.AddHttpClient(ImportSourceOpener.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IImportSourceOpener, ImportSourceOpener>();
        services.AddSingleton<ImportWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ImportWorker>());
        services.AddSpreadsheetImport();
        return services;
    }
}
