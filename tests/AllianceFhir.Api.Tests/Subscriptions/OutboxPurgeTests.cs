using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>
/// The outbox does not grow forever: the dispatcher deletes delivered notifications once they are older than
/// <c>Subscriptions:DeliveredRetention</c>, never one still waiting for its receiver, and backport event numbers go on
/// from where they were. The app's clock is moved forward instead of waiting the days out.
/// </summary>
public sealed class OutboxPurgeTests : IDisposable
{
    private readonly ShiftedClock _clock = new();
    private readonly FhirApplication _app = new FhirApplication().Fast()
        .With("Subscriptions:DeliveredRetention", "7.00:00:00")
        .With("Subscriptions:PurgeIntervalSeconds", "0");
    private readonly WebApplicationFactory<Program> _host;
    private readonly Receiver _receiver = new();
    private readonly Receiver _down = new();

    public OutboxPurgeTests() =>
        _host = _app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock)));

    public void Dispose()
    {
        _host.Dispose();
        _app.Dispose();
        _receiver.Dispose();
        _down.Dispose();
    }

    [Fact]
    public async Task Delivered_rows_past_the_retention_go_and_event_numbers_continue_after_the_purge()
    {
        var client = _host.CreateClient();
        var patient = "p-" + Guid.NewGuid().ToString("N")[..10];
        await InstrumentResponses.StoreSubjectAsync(client, patient);
        var subscription = await SubscribeAsync(client, Topic(_receiver.Endpoint, "id-only", $"QuestionnaireResponse?subject=Patient/{patient}"));
        var srs = await InstrumentResponses.FetchAsync(client, "srs");
        await CreateAsync(client, InstrumentResponses.Decimals(srs, patient, 5, 5, 5, 5));
        await CreateAsync(client, InstrumentResponses.Decimals(srs, patient, 6, 6, 6, 6));
        await _receiver.WaitAsync(r => r.Count >= 3, what: "the handshake and two events");
        var delivered = await OutboxRows.WaitAsync(_app.DatabasePath, subscription.Id!, rows => rows.Count == 3 && rows.All(r => r.Delivered), "three delivered rows");

        // Still inside the retention a day later: nothing goes.
        _clock.Advance(TimeSpan.FromDays(1));
        await Task.Delay(500);
        Assert.Equal(delivered, await OutboxRows.ReadAsync(_app.DatabasePath, subscription.Id!));

        _clock.Advance(TimeSpan.FromDays(7));
        // The handshake and event 1 go; event 2 stays, as it carries the subscription's event count.
        var kept = await OutboxRows.WaitAsync(_app.DatabasePath, subscription.Id!, rows => rows.Count == 1, "only the last numbered row");
        Assert.Equal(2, Assert.Single(kept).EventNumber);

        _receiver.Clear();
        var third = await CreateAsync(client, InstrumentResponses.Decimals(srs, patient, 7, 7, 7, 7));
        var (status, _) = TopicSubscriptionTests.Read(Assert.Single(await _receiver.WaitAsync(r => r.Count >= 1, what: "the third event")));
        var notification = status.Parameter.Single(p => p.Name == "notification-event");
        Assert.Equal("3", notification.Part.Single(p => p.Name == "event-number").Value?.ToString());
        Assert.EndsWith($"/QuestionnaireResponse/{third}", Assert.IsType<ResourceReference>(notification.Part.Single(p => p.Name == "focus").Value).Reference, StringComparison.Ordinal);

        using var statusResponse = await client.GetAsync($"/fhir/Subscription/{subscription.Id}/$status");
        Assert.Equal(HttpStatusCode.OK, statusResponse.StatusCode);
        Assert.Equal("3", (await statusResponse.ReadAsAsync<Parameters>()).GetSingleValue<FhirString>("events-since-subscription-start")!.Value);

        // Event 2 was delivered eight days ago and is no longer the last; event 3 was delivered just now and stays.
        var recent = await OutboxRows.WaitAsync(_app.DatabasePath, subscription.Id!, rows => rows.Count == 1 && rows[0].EventNumber == 3, "only event 3");
        Assert.True(recent[0].Delivered);
    }

    [Fact]
    public async Task Undelivered_rows_stay_however_old_and_are_delivered_when_the_subscription_resumes()
    {
        var client = _host.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        var healthy = await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint));
        var failing = await SubscribeAsync(client, RestHook($"Observation?code={code}", _down.Endpoint));
        _down.Fail(HttpStatusCode.ServiceUnavailable);

        var observation = await CreateAsync(client, Observation(code, 1));
        var inError = await WaitForStatusAsync(client, failing.Id!, Subscription.SubscriptionStatus.Error);
        await OutboxRows.WaitAsync(_app.DatabasePath, healthy.Id!, rows => rows.Count == 2 && rows.All(r => r.Delivered), "the handshake and the event delivered");

        _clock.Advance(TimeSpan.FromDays(30));
        await OutboxRows.WaitAsync(_app.DatabasePath, healthy.Id!, rows => rows.Count == 0, "no rows left");
        // The failing subscription's delivered handshake goes too (same age); its undelivered event stays.
        var waiting = await OutboxRows.WaitAsync(_app.DatabasePath, failing.Id!, rows => rows.Count == 1, "only the undelivered row");
        Assert.False(waiting[0].Delivered);

        _down.Clear();
        _down.Accept();
        inError.Status = Subscription.SubscriptionStatus.Requested;
        inError.Error = null;
        using (var put = await client.PutAsync($"/fhir/Subscription/{inError.Id}", inError))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await _down.WaitAsync(r => r.Any(e => e.Method == "PUT"), what: "the notification kept through the purge");
        Assert.Equal($"/hook/Observation/{observation}", Assert.Single(_down.Puts).Path);
    }
}
