using System.Net;
using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Http;
using FluentValidation;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Hosting;

/// <summary>What the service trusts of a request's headers, and the protective headers every response carries.</summary>
public static class HttpHardeningExtensions
{
    public static IServiceCollection AddHttpHardening(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ForwardedHeadersSettings, ForwardedHeadersSettingsValidator>(configuration, ForwardedHeadersSettings.SectionName);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((options, settings) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;

            // The defaults trust loopback; only the configured proxies are to be believed.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in settings.Value.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in settings.Value.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }

            // Host filtering looked at the proxy's Host; a forwarded host must pass the same list.
            var allowed = (configuration["AllowedHosts"] ?? string.Empty)
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (allowed.Length > 0 && !allowed.Contains("*"))
            {
                options.AllowedHosts = allowed;
            }
        });

        services.AddSingleton<IValidator<HostFilteringOptions>, AllowedHostsValidator>();
        services.AddSingleton<IValidateOptions<HostFilteringOptions>, FluentOptionsValidation<HostFilteringOptions>>();
        services.AddOptions<HostFilteringOptions>().ValidateOnStart();

        // Refused hosts get an OperationOutcome instead of ASP.NET's HTML page; the filter must wrap host filtering,
        // whose own filter the host registered before this, so it goes first in the list (the first is outermost).
        services.Configure<HostFilteringOptions>(o => o.IncludeFailureMessage = false);
        services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, RefusedHostOutcome>());

        services.Configure<KestrelServerOptions>(o => o.AddServerHeader = false);
        return services;
    }

    /// <summary>Forwarded headers (from configured proxies only) and security headers; goes before everything else.</summary>
    public static WebApplication UseHttpHardening(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            RefusedHostOutcome.MarkReached(http);
            return next(http);
        });

        // With no proxy configured the middleware is left out: with empty lists it would believe every sender.
        if (app.Services.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value.Any)
        {
            app.UseForwardedHeaders();
        }

        app.UseSecurityHeaders();
        return app;
    }
}
