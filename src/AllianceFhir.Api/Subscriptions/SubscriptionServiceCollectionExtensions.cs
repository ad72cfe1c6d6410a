using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Endpoints;
using AllianceFhir.Api.Hosting;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Subscriptions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace AllianceFhir.Api.Subscriptions;

public static class SubscriptionServiceCollectionExtensions
{
    /// <summary>
    /// R4 rest-hook and backport topic Subscriptions: validation on write, matching of every commit into the outbox (the
    /// stores ask <see cref="ICommitObserver"/>), the dispatcher that delivers it, and the masking of channel headers in
    /// what requests read (<see cref="HeaderMaskingStore"/>, so call after the store is registered). Settings: section <c>Subscriptions</c>.
    /// </summary>
    public static IServiceCollection AddFhirSubscriptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SubscriptionOptions>().Bind(configuration.GetSection(SubscriptionOptions.SectionName));
        services.AddSingleton(sp => new SubscriptionReader(
            sp.GetRequiredService<Core.Search.SearchParameterRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            ServiceBase.Of(sp.GetRequiredService<IOptions<FhirServerOptions>>().Value.PublicBaseUrl)));
        services.AddSingleton<SubscriptionCache>();
        services.AddSingleton<NotificationSignal>();
        services.AddSingleton<NotificationMatcher>();
        services.AddSingleton<ICommitObserver>(sp => sp.GetRequiredService<NotificationMatcher>());
        services.AddHttpContextAccessor();
        services.AddScoped<IResourceWriteHook, SubscriptionWriteHook>();
        services.DecorateResourceStore((sp, store) =>
            new HeaderMaskingStore(store, sp.GetRequiredService<IHttpContextAccessor>(), sp.GetRequiredService<AccessPolicy>()));
        services.AddScoped<SubscriptionStatusWriter>();
        services.AddSingleton<NotificationSender>();
        services.AddSingleton<ICapabilityContributor, SubscriptionCapability>();

        // Each notification: up to MaxRetries retries on 5xx, 408, 429, connection failures and attempt timeouts, with
        // exponential backoff and jitter, each attempt bounded by AttemptTimeoutSeconds (or the subscription's shorter
        // backport-timeout). The client's own timeout is off: the pipeline bounds the whole.
        services.AddHttpClient(NotificationSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("subscription-delivery", (pipeline, context) =>
            {
                var settings = context.ServiceProvider.GetRequiredService<IOptions<SubscriptionOptions>>().Value;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = settings.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(settings.RetryDelayMilliseconds),
                });
                var attempt = TimeSpan.FromSeconds(settings.AttemptTimeoutSeconds);
                pipeline.AddTimeout(new TimeoutStrategyOptions
                {
                    Timeout = attempt,
                    TimeoutGenerator = args => ValueTask.FromResult(NotificationSender.AttemptTimeout(args.Context.GetRequestMessage(), attempt)),
                });
            });
        services.AddHostedService<SubscriptionDispatcher>();
        return services;
    }
}
