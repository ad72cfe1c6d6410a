using System.Net.Http.Headers;
using System.Text;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Subscriptions;

/// <summary>
/// Sends one notification over the <see cref="ClientName"/> client, whose resilience pipeline retries with exponential
/// backoff and bounds each attempt (registered in <see cref="SubscriptionServiceCollectionExtensions"/>). Success is any
/// 2xx; what failed is returned as a short reason for Subscription.error (a status code or an exception type, never the
/// receiver's body).
/// </summary>
public sealed class NotificationSender(IHttpClientFactory clients)
{
    public const string ClientName = "subscription-delivery";

    /// <summary>A backport subscription's own <c>backport-timeout</c>, carried on the request to the pipeline's timeout.</summary>
    private static readonly HttpRequestOptionsKey<TimeSpan> SubscriptionTimeout = new("alliancefhir.subscription-timeout");

    /// <summary>
    /// The bound on one attempt: the server's, or the subscription's <c>backport-timeout</c> ("the maximum amount of time a
    /// server will allow before failing a notification attempt") when that is shorter; never longer than the server's.
    /// </summary>
    public static TimeSpan AttemptTimeout(HttpRequestMessage? request, TimeSpan server) =>
        request is not null && request.Options.TryGetValue(SubscriptionTimeout, out var own) && own > TimeSpan.Zero && own < server ? own : server;

    /// <summary>R4 rest-hook without payload: an empty POST to the endpoint (also the classic handshake).</summary>
    public Task<string?> PingAsync(LiveSubscription subscription, CancellationToken cancellationToken) =>
        SendAsync(subscription, HttpMethod.Post, subscription.Endpoint, content: null, cancellationToken);

    /// <summary>R4 rest-hook with payload: the resource PUT to [endpoint]/[type]/[id] in the subscription's format.</summary>
    public Task<string?> PutResourceAsync(LiveSubscription subscription, Resource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(resource);
        var target = new Uri($"{subscription.Endpoint.AbsoluteUri.TrimEnd('/')}/{resource.TypeName}/{resource.Id}");
        return SendAsync(subscription, HttpMethod.Put, target, Body(subscription, resource), cancellationToken);
    }

    /// <summary>A backport notification Bundle POSTed to the endpoint.</summary>
    public Task<string?> PostBundleAsync(LiveSubscription subscription, Bundle bundle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return SendAsync(subscription, HttpMethod.Post, subscription.Endpoint, Body(subscription, bundle), cancellationToken);
    }

    private static ByteArrayContent Body(LiveSubscription subscription, Resource resource)
    {
        var xml = subscription.Payload == "application/fhir+xml";
        var bytes = xml
            ? Encoding.UTF8.GetBytes(FhirSerialization.XmlSerializer.SerializeToString(resource))
            : Encoding.UTF8.GetBytes(FhirSerialization.JsonSerializer.SerializeToString(resource));
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(xml ? "application/fhir+xml" : "application/fhir+json") { CharSet = "utf-8" };
        return content;
    }

    /// <returns>Null when the receiver accepted it, else why not.</returns>
    private async Task<string?> SendAsync(LiveSubscription subscription, HttpMethod method, Uri target, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, target) { Content = content };
        if (subscription.Timeout is { } timeout)
        {
            request.Options.Set(SubscriptionTimeout, timeout);
        }

        foreach (var (name, value) in subscription.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode
                ? null
                : $"The endpoint answered {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or TaskCanceledException)
        {
            return ex is Polly.Timeout.TimeoutRejectedException or TaskCanceledException
                ? "The endpoint did not answer in time"
                : $"The endpoint could not be reached ({(ex as HttpRequestException)?.HttpRequestError.ToString() ?? ex.GetType().Name})";
        }
    }
}
