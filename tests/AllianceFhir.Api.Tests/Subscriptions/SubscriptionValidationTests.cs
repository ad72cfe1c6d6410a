using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>A Subscription the server cannot honour is refused with a 422 naming the element, and nothing is stored.</summary>
public sealed class SubscriptionValidationTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string Endpoint = "http://127.0.0.1:9/hook";

    public static TheoryData<string, string> Refused => new()
    {
        { "websocket", "Subscription.channel.type" },
        { "ftp-endpoint", "Subscription.channel.endpoint" },
        { "relative-endpoint", "Subscription.channel.endpoint" },
        { "text-payload", "Subscription.channel.payload" },
        { "unknown-type", "Subscription.criteria" },
        { "unknown-parameter", "Subscription.criteria" },
        { "malformed-value", "Subscription.criteria" },
        { "chained", "Subscription.criteria" },
        { "result-parameter", "Subscription.criteria" },
        { "unknown-topic", "Subscription.criteria" },
        { "bad-header", "Subscription.channel.header[0]" },
        { "active-from-client", "Subscription.status" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task An_invalid_subscription_is_422_with_the_element_and_nothing_is_stored(string problem, string expression)
    {
        var client = app.CreateClient();
        var marker = Guid.NewGuid().ToString("N");
        var subscription = RestHook("Observation?code=x", Endpoint);
        subscription.Reason = marker;
        switch (problem)
        {
            case "websocket": subscription.Channel.Type = Subscription.SubscriptionChannelType.Websocket; break;
            case "ftp-endpoint": subscription.Channel.Endpoint = "ftp://127.0.0.1/hook"; break;
            case "relative-endpoint": subscription.Channel.Endpoint = "/hook"; break;
            case "text-payload": subscription.Channel.Payload = "text/plain"; break;
            case "unknown-type": subscription.Criteria = "Medication?code=x"; break;
            case "unknown-parameter": subscription.Criteria = "Observation?no-such-parameter=x"; break;
            case "malformed-value": subscription.Criteria = "Observation?date=notadate"; break;
            case "chained": subscription.Criteria = "Observation?subject:Patient.name=x"; break;
            case "result-parameter": subscription.Criteria = "Observation?code=x&_sort=date"; break;
            case "unknown-topic": subscription.Criteria = "http://example.org/SubscriptionTopic/other"; break;
            case "bad-header": subscription.Channel.Header = ["no colon here"]; break;
            case "active-from-client": subscription.Status = Subscription.SubscriptionStatus.Active; break;
        }

        using var response = await client.PostAsync("/fhir/Subscription", subscription);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Expression.Contains(expression));
        using var search = await client.GetAsync("/fhir/Subscription?_count=100");
        var stored = await search.ReadAsAsync<Bundle>();
        Assert.DoesNotContain(stored.Entry, e => (e.Resource as Subscription)?.Reason == marker);
    }

    [Fact]
    public async Task A_refused_subscription_in_a_transaction_stores_nothing_of_the_transaction()
    {
        var client = app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = Observation(code, 1),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
        });
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = RestHook("Observation?code=x", "ftp://127.0.0.1/hook"),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Subscription" },
        });

        using var response = await client.PostAsync("/fhir", bundle);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var search = await client.GetAsync($"/fhir/Observation?code={code}");
        Assert.Empty((await search.ReadAsAsync<Bundle>()).Entry);
    }

    [Fact]
    public async Task The_capability_statement_offers_the_topic_and_status()
    {
        using var response = await app.CreateClient().GetAsync("/fhir/metadata");
        var capability = await response.ReadAsAsync<CapabilityStatement>();
        var subscription = Assert.Single(capability.Rest[0].Resource, r => r.Type == "Subscription");
        Assert.Contains(subscription.Operation, o => o.Name == "status");
        Assert.Contains(subscription.Extension, e => e.Value is Canonical c && c.Value == Core.Subscriptions.BackportUrls.ResponseCompletedTopic);
    }
}
