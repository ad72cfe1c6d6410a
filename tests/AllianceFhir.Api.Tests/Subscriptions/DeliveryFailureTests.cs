using System.Diagnostics;
using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>
/// Receivers that fail, hang or go away: retries recover, a receiver down for longer than the retries puts the
/// subscription in error (with the reason) without losing anything, a PUT back to requested resumes, and a slow
/// receiver never slows the writes.
/// </summary>
public sealed class DeliveryFailureTests : IDisposable
{
    private readonly FhirApplication _app = new FhirApplication().Fast();
    private readonly Receiver _receiver = new();

    public void Dispose()
    {
        _app.Dispose();
        _receiver.Dispose();
    }

    [Fact]
    public async Task Two_500s_are_retried_and_the_notification_is_delivered_once_accepted()
    {
        var client = _app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        var subscription = await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint));
        _receiver.Clear();
        _receiver.FailFirst(2, r => r.WithStatusCode(HttpStatusCode.InternalServerError));

        await CreateAsync(client, Observation(code, 1));

        var requests = await _receiver.WaitAsync(r => r.Count >= 3);
        Assert.Equal(3, requests.Count);
        Assert.Equal([500, 500, 200], requests.Select(r => r.Status));
        Assert.Equal(Subscription.SubscriptionStatus.Active, (await WaitForStatusAsync(client, subscription.Id!, Subscription.SubscriptionStatus.Active)).Status);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried()
    {
        var client = _app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint));
        _receiver.Clear();

        // Longer than the one-second attempt timeout.
        _receiver.FailFirst(1, r => r.WithStatusCode(HttpStatusCode.OK).WithDelay(TimeSpan.FromSeconds(3)));
        var id = await CreateAsync(client, Observation(code, 1));

        var requests = await _receiver.WaitAsync(r => r.Count >= 2, what: "a retry after the timed-out attempt");
        Assert.All(requests, r => Assert.Equal($"/hook/Observation/{id}", r.Path));
    }

    [Fact]
    public async Task A_receiver_down_past_the_retries_puts_the_subscription_in_error_and_a_PUT_to_requested_resumes_without_loss()
    {
        var client = _app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        var subscription = await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint));
        _receiver.Fail(HttpStatusCode.ServiceUnavailable);

        var first = await CreateAsync(client, Observation(code, 1));
        var failed = await WaitForStatusAsync(client, subscription.Id!, Subscription.SubscriptionStatus.Error);
        Assert.Contains("503", failed.Error, StringComparison.Ordinal);

        // Written while the subscription is in error: kept, and sent after the first once delivery resumes.
        var second = await CreateAsync(client, Observation(code, 2));
        await Task.Delay(300);
        _receiver.Clear();
        _receiver.Accept();
        failed.Status = Subscription.SubscriptionStatus.Requested;
        failed.Error = null;
        using (var put = await client.PutAsync($"/fhir/Subscription/{failed.Id}", failed))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await WaitForStatusAsync(client, subscription.Id!, Subscription.SubscriptionStatus.Active);
        await _receiver.WaitAsync(r => r.Count(e => e.Method == "PUT") >= 2);
        Assert.Equal([$"/hook/Observation/{first}", $"/hook/Observation/{second}"], _receiver.Puts.Select(p => p.Path));
    }

    [Fact]
    public async Task Writes_go_on_at_full_speed_while_the_receiver_holds_each_notification_for_seconds()
    {
        var client = _app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint));
        _receiver.Accept(delay: TimeSpan.FromSeconds(4));

        // Each notification is held longer than the attempt timeout, so delivery is stuck retrying for the whole run.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            await CreateAsync(client, Observation(code, i));
        }

        clock.Stop();

        // Bounded, not a micro-benchmark: twenty writes finish well inside the time one notification is held.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"20 writes took {clock.Elapsed.TotalSeconds:F1} s while the receiver was slow");
    }
}
