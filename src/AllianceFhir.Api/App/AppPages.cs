using System.Reflection;
using AllianceFhir.Api.App.Clinician;
using AllianceFhir.Api.App.FormLinks;
using AllianceFhir.Api.Configuration;

namespace AllianceFhir.Api.App;

/// <summary>
/// The pages for people under <c>/app</c>: the clinician view and clinic flag list (<see cref="ClinicianPages"/>), the
/// sign-in that turns a token into a page cookie (<see cref="SessionPages"/>), the patient form
/// (<see cref="FillPages"/>), and their static files. Pages read and write through the same Core services as the FHIR
/// API; nothing here touches the database directly except the form links.
/// </summary>
public static class AppPages
{
    public const string BasePath = "/app";

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["app.css"] = "text/css; charset=utf-8",
        ["fill.js"] = "text/javascript; charset=utf-8",
    };

    public static IServiceCollection AddAppPages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AppOptions, AppOptionsValidator>(configuration, AppOptions.SectionName);
        services.AddSingleton<LFormsAssets>();
        services.AddScoped<ClinicianData>();
        return services;
    }

    public static WebApplication MapAppPages(this WebApplication app)
    {
        if (app.Services.GetRequiredService<LFormsAssets>().FileProvider is { } lforms)
        {
            app.UseStaticFiles(new StaticFileOptions { FileProvider = lforms, RequestPath = LFormsAssets.UrlPath });
        }

        var pages = app.MapGroup(BasePath).ExcludeFromDescription();
        pages.AddEndpointFilter<PageFilter>();
        pages.MapGet("/assets/{name}", Asset).WithName("app-asset");
        pages.MapGet("/", () => Results.Redirect($"{BasePath}/flags"));
        pages.MapClinicianPages();
        pages.MapSessionPages();
        pages.MapFillPages();
        return app;
    }

    /// <summary>The pages' own script and stylesheet, embedded in the assembly so a published server always has them.</summary>
    private static IResult Asset(string name)
    {
        if (!Assets.TryGetValue(name, out var contentType)
            || typeof(AppPages).Assembly.GetManifestResourceStream($"AllianceFhir.Api.App.Assets.{name}") is not { } stream)
        {
            return Results.NotFound();
        }

        return Results.Stream(stream, contentType);
    }
}
