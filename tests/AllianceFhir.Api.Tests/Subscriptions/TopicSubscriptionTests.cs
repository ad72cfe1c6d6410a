using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>
/// The Subscriptions R5 Backport IG's topic "a QuestionnaireResponse was completed": subscription-notification history
/// Bundles led by a SubscriptionStatus Parameters, id-only and full-resource payloads, event numbers, heartbeats, $status.
/// </summary>
public sealed class TopicSubscriptionTests : IDisposable
{
    private readonly FhirApplication _app = new FhirApplication().Fast();
    private readonly Receiver _receiver = new();

    public void Dispose()
    {
        _app.Dispose();
        _receiver.Dispose();
    }

    internal static (Parameters Status, Bundle Bundle) Read(Hit entry)
    {
        var bundle = (Bundle)FhirSerialization.JsonDeserializer.DeserializeResource(entry.Body);
        Assert.Equal(Bundle.BundleType.History, bundle.Type);
        var status = Assert.IsType<Parameters>(bundle.Entry[0].Resource);
        Assert.Contains(BackportUrls.StatusProfile, status.Meta?.Profile ?? []);
        return (status, bundle);
    }

    internal static string Type(Parameters status) => status.GetSingleValue<Code>("type")?.Value ?? string.Empty;

    [Fact]
    public async Task Full_resource_notifications_carry_the_response_and_its_scores_with_rising_event_numbers_and_status_counts_them()
    {
        var client = _app.CreateClient();
        var patient = "t-" + Guid.NewGuid().ToString("N")[..10];
        await InstrumentResponses.StoreSubjectAsync(client, patient);
        var subscription = await SubscribeAsync(client, Topic(_receiver.Endpoint, "full-resource", $"QuestionnaireResponse?subject=Patient/{patient}"));
        var (handshake, _) = Read(Assert.Single(_receiver.Requests));
        Assert.Equal("handshake", Type(handshake));

        var srs = await InstrumentResponses.FetchAsync(client, "srs");
        var first = await CreateAsync(client, InstrumentResponses.Decimals(srs, patient, 5, 5, 5, 5));
        var second = await CreateAsync(client, InstrumentResponses.Decimals(srs, patient, 9, 9, 9, 9));

        var requests = await _receiver.WaitAsync(r => r.Count >= 3);
        var events = requests.Skip(1).Select(Read).ToList();
        Assert.Equal(["1", "2"], events.Select(e => e.Status.Parameter.Single(p => p.Name == "notification-event").Part.Single(p => p.Name == "event-number").Value?.ToString()));
        Assert.All(events, e => Assert.Equal("event-notification", Type(e.Status)));
        var (status, bundle) = events[0];
        var response = Assert.IsType<QuestionnaireResponse>(bundle.Entry[1].Resource);
        Assert.Equal(first, response.Id);
        // The response's score Observations: the SRS total and its four line scores.
        var scores = bundle.Entry.Skip(2).Select(e => Assert.IsType<Observation>(e.Resource)).ToList();
        Assert.Equal(["srs-item-1", "srs-item-2", "srs-item-3", "srs-item-4", "srs-total"], scores.Select(o => o.Code.Coding[0].Code).Order(StringComparer.Ordinal));
        var total = Assert.Single(scores, o => o.Code.Coding[0].Code == "srs-total");
        Assert.Equal(20m, Assert.IsType<Quantity>(total.Value).Value);
        Assert.Equal(second, events[1].Bundle.Entry[1].Resource!.Id);

        using var statusResponse = await client.GetAsync($"/fhir/Subscription/{subscription.Id}/$status");
        Assert.Equal(HttpStatusCode.OK, statusResponse.StatusCode);
        var queried = await statusResponse.ReadAsAsync<Parameters>();
        Assert.Equal("query-status", Type(queried));
        Assert.Equal("2", queried.GetSingleValue<FhirString>("events-since-subscription-start")!.Value);
        Assert.Equal("active", queried.GetSingleValue<Code>("status")!.Value);
    }

    [Fact]
    public async Task Id_only_notifications_name_the_response_without_it_and_in_progress_responses_are_not_events()
    {
        var client = _app.CreateClient();
        var patient = "t-" + Guid.NewGuid().ToString("N")[..10];
        await InstrumentResponses.StoreSubjectAsync(client, patient);
        await SubscribeAsync(client, Topic(_receiver.Endpoint, "id-only", $"QuestionnaireResponse?subject=Patient/{patient}"));
        _receiver.Clear();

        var srs = await InstrumentResponses.FetchAsync(client, "srs");
        var draft = InstrumentResponses.Decimals(srs, patient, 1);
        draft.Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress;
        await CreateAsync(client, draft);
        var completed = await CreateAsync(client, InstrumentResponses.Decimals(srs, patient, 2, 2, 2, 2));

        var (status, bundle) = Read(Assert.Single(await _receiver.WaitAsync(r => r.Count >= 1)));
        var focus = bundle.Entry[1];
        Assert.Null(focus.Resource);
        Assert.EndsWith($"/QuestionnaireResponse/{completed}", focus.FullUrl, StringComparison.Ordinal);
        Assert.EndsWith($"/QuestionnaireResponse/{completed}",
            Assert.IsType<ResourceReference>(status.Parameter.Single(p => p.Name == "notification-event").Part.Single(p => p.Name == "focus").Value).Reference, StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task A_quiet_subscription_gets_heartbeats()
    {
        var client = _app.CreateClient();
        await SubscribeAsync(client, Topic(_receiver.Endpoint, "empty", heartbeat: 1));
        _receiver.Clear();

        var (status, bundle) = Read((await _receiver.WaitAsync(r => r.Count >= 1, what: "a heartbeat"))[0]);
        Assert.Equal("heartbeat", Type(status));
        Assert.Single(bundle.Entry);
    }

    [Fact]
    public async Task A_backport_timeout_shorter_than_the_servers_bounds_each_attempt()
    {
        using var patient = new FhirApplication().Fast().With("Subscriptions:AttemptTimeoutSeconds", "30");
        var client = patient.CreateClient();
        _receiver.Accept(delay: TimeSpan.FromSeconds(3));
        var hasty = Topic(_receiver.Endpoint, "empty");
        hasty.Channel.SetExtension(BackportUrls.Timeout, new UnsignedInt(1));

        var failed = await SubscribeAsync(client, hasty, Subscription.SubscriptionStatus.Error);

        Assert.Contains("did not answer in time", failed.Error, StringComparison.Ordinal);
        // The same receiver answers well inside the server's own 30 s: a subscription without a timeout of its own waits for it.
        await SubscribeAsync(client, Topic(_receiver.Endpoint, "empty"));
    }
}
