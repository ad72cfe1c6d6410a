using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>Test settings that make delivery quick to observe, and helpers for subscriptions and matching writes.</summary>
public static class SubscriptionTesting
{
    public const string Codes = "http://example.org/codes";

    /// <summary>Polls every 50 ms, retries twice 20 ms apart (then error), gives each attempt one second.</summary>
    public static FhirApplication Fast(this FhirApplication app) => app
        .With("Subscriptions:PollMilliseconds", "50")
        .With("Subscriptions:RetryDelayMilliseconds", "20")
        .With("Subscriptions:MaxRetries", "2")
        .With("Subscriptions:AttemptTimeoutSeconds", "1");

    public static Subscription RestHook(string criteria, string endpoint, string? payload = "application/fhir+json", params string[] headers) => new()
    {
        Status = Subscription.SubscriptionStatus.Requested,
        Reason = "test",
        Criteria = criteria,
        Channel = new Subscription.ChannelComponent
        {
            Type = Subscription.SubscriptionChannelType.RestHook,
            Endpoint = endpoint,
            Payload = payload,
            Header = headers,
        },
    };

    /// <summary>A backport subscription to the server's one topic, as an EHR writes it.</summary>
    public static Subscription Topic(string endpoint, string content, string? filter = null, int? heartbeat = null)
    {
        var subscription = RestHook(BackportUrls.ResponseCompletedTopic, endpoint, "application/fhir+json");
        subscription.Meta = new Meta { Profile = [BackportUrls.SubscriptionProfile] };
        subscription.Channel.PayloadElement.SetExtension(BackportUrls.PayloadContent, new Code(content));
        if (filter is not null)
        {
            subscription.CriteriaElement.AddExtension(BackportUrls.FilterCriteria, new FhirString(filter));
        }

        if (heartbeat is { } seconds)
        {
            subscription.Channel.SetExtension(BackportUrls.HeartbeatPeriod, new UnsignedInt(seconds));
        }

        return subscription;
    }

    /// <summary>Creates the subscription and waits until the server has activated it after the handshake.</summary>
    public static async Task<Subscription> SubscribeAsync(HttpClient client, Subscription subscription, Subscription.SubscriptionStatus until = Subscription.SubscriptionStatus.Active)
    {
        using var created = await client.PostAsync("/fhir/Subscription", subscription);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadAsAsync<Subscription>()).Id!;
        return await WaitForStatusAsync(client, id, until);
    }

    public static async Task<Subscription> WaitForStatusAsync(HttpClient client, string id, Subscription.SubscriptionStatus status, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            using var read = await client.GetAsync($"/fhir/Subscription/{id}");
            var current = await read.ReadAsAsync<Subscription>();
            if (current.Status == status)
            {
                return current;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Subscription/{id} is {current.Status}, not {status}, after {seconds} s (error: {current.Error})");
            await Task.Delay(50);
        }
    }

    public static Observation Observation(string code, decimal value) => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept(Codes, code),
        Value = new Quantity(value, "1"),
    };

    public static async Task<string> CreateAsync(HttpClient client, Resource resource)
    {
        using var created = await client.PostAsync($"/fhir/{resource.TypeName}", resource);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadAsAsync<Resource>()).Id!;
    }
}
