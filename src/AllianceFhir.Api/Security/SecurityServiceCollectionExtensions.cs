using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Endpoints;
using AllianceFhir.Core.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AllianceFhir.Api.Security;

public static class SecurityServiceCollectionExtensions
{
    public const string CorsPolicy = "smart-apps";

    /// <summary>What <c>UseAuthentication</c> records in the pipeline's properties (AuthAppBuilderExtensions).</summary>
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    /// <summary>
    /// Bearer-token authentication, SMART scope authorization, per-client rate limits, CORS for browser apps, and the
    /// Swagger Authorize button. Settings: the <c>Auth</c>, <c>Cors</c> and <c>RateLimit</c> sections.
    /// </summary>
    public static IServiceCollection AddFhirSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(configuration, AuthOptions.SectionName);
        services.AddValidatedOptions<CorsSettings, CorsSettingsValidator>(configuration, CorsSettings.SectionName);
        services.AddValidatedOptions<RateLimitSettings, RateLimitSettingsValidator>(configuration, RateLimitSettings.SectionName);

        services.AddSingleton<PatientCompartment>();
        services.AddSingleton<AccessPolicy>();
        services.AddRequestStore();
        services.AddSingleton<SmartEndpoints>();
        services.AddSingleton<ICapabilityRestContributor, SecurityCapability>();

        services.AddSingleton<TokenValidationCache>();
        // Every caller of authentication names the scheme (FhirAccessMiddleware, the clinician pages), so no default is
        // needed; with JwtBearer as the only scheme ASP.NET would make it the default, and the authentication middleware
        // WebApplication adds by itself would then run the handler for every request, /healthz and Swagger included:
        // ~1-3 % of a read by id's CPU for a result nothing reads (docs/performance.md). Must be set before the first
        // AuthenticationOptions is created, which reads it once per process.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication().AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();

        services.AddRateLimiter(_ => { });
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>, ClientRateLimiting>();

        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CorsSettings>>((cors, settings) => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(settings.Value.AllowedOrigins)
            .AllowAnyHeader()
            .AllowAnyMethod()
            .WithExposedHeaders("Location", "Content-Location", "ETag", "Last-Modified", "WWW-Authenticate", "Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));

        services.ConfigureSwaggerGen(SwaggerBearer.Configure);
        return services;
    }

    /// <summary>
    /// CORS (so preflights are answered before any token is asked for), then the access middleware, then the rate limiter
    /// keyed by the caller it found; and the SMART configuration document. Call after the exception handler.
    /// </summary>
    public static WebApplication UseFhirSecurity(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (auth.IsOpen)
        {
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecurityServiceCollectionExtensions).Namespace!)
                .LogWarning("OPEN DEVELOPMENT SERVER: Auth:Authority is not set, so every request runs as one full-access development user "
                    + "without a token. Set Auth__Authority (and Auth__Audience) before any real data goes in.");
        }

        // WebApplication adds ASP.NET's authentication middleware in front of everything when authentication services
        // exist, unless the pipeline says it has one (the key UseAuthentication sets). With no default scheme it
        // authenticates nothing, yet it ran for every request: it sets a feature, asks the scheme provider for request
        // handlers and a default scheme, ~1 % of a read by id's CPU (docs/performance.md, session 11). Every caller of
        // authentication names the JwtBearer scheme (FhirAccessMiddleware, the clinician pages) and no scheme handles
        // requests by itself (no remote/cookie schemes), so nothing needs it. Should the key ever change, the middleware
        // comes back and behaves as before.
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        // Only requests that carry an Origin (browser apps, and their preflights) are CORS requests; the middleware passes
        // any other on at once, but it was still invoked for every request, resolving its policy provider from the
        // request's services first (~0.7 % of a read by id's CPU; docs/performance.md).
        app.UseWhen(http => http.Request.Headers.ContainsKey(HeaderNames.Origin), cors => cors.UseCors(CorsPolicy));
        app.UseMiddleware<FhirAccessMiddleware>();
        app.UseRateLimiter();
        app.MapSmartConfiguration();
        return app;
    }
}
