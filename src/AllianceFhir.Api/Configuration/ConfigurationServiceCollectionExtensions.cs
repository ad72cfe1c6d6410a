using AllianceFhir.Storage;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Configuration;

public static class ConfigurationServiceCollectionExtensions
{
    /// <summary>Binds a configuration section and validates it with its FluentValidation validator when the host starts.</summary>
    public static IServiceCollection AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidator<TOptions>
    {
        services.AddSingleton<IValidator<TOptions>, TValidator>();
        services.AddSingleton<IValidateOptions<TOptions>, FluentOptionsValidation<TOptions>>();
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        return services;
    }

    public static IServiceCollection AddFhirConfiguration(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddValidatedOptions<FhirServerOptions, FhirServerOptionsValidator>(configuration, FhirServerOptions.SectionName)
            .AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.SectionName)
            .PostConfigure<StorageOptions>(o => o.ConnectionString ??=
                configuration.GetConnectionString(StorageServiceCollectionExtensions.ConnectionStringName));
        services.AddOptions<StorageOptions>().PostConfigure<IHostEnvironment>((o, environment) =>
        {
            if (o.Provider == StorageProvider.Sqlite)
            {
                o.ConnectionString = SqliteDataSource.UnderContentRoot(
                    o.ConnectionString ?? StorageServiceCollectionExtensions.DefaultSqliteConnectionString,
                    environment.ContentRootPath);
            }
        });
        return services;
    }
}
