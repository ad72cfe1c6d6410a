using AllianceFhir.Api.Tests.Infrastructure;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>The outbox outlives the process: what was committed before a stop is delivered by the next instance, once.</summary>
public sealed class DeliveryRestartTests : IDisposable
{
    private readonly Receiver _receiver = new();

    public void Dispose() => _receiver.Dispose();

    [Fact]
    public async Task Notifications_committed_before_a_restart_are_delivered_by_the_new_instance_in_order_without_duplicates()
    {
        var code = Guid.NewGuid().ToString("N");
        string database;
        var ids = new List<string>();
        using (var first = new FhirApplication { KeepDatabase = true }.Fast())
        {
            database = first.DatabasePath;
            await SubscribeAsync(first.CreateClient(), RestHook($"Observation?code={code}", _receiver.Endpoint));
        }

        try
        {
            // An instance that commits but never delivers: the notifications wait in the outbox when it stops.
            using (var writer = new FhirApplication().Fast()
                .With("ConnectionStrings:Fhir", $"Data Source={database}")
                .With("Subscriptions:DispatcherEnabled", "false"))
            {
                var client = writer.CreateClient();
                for (var i = 0; i < 3; i++)
                {
                    ids.Add(await CreateAsync(client, Observation(code, i)));
                }

                await Task.Delay(300);
                Assert.Empty(_receiver.Puts);
            }

            using var restarted = new FhirApplication().Fast().With("ConnectionStrings:Fhir", $"Data Source={database}");
            _ = restarted.CreateClient();
            await _receiver.WaitAsync(r => r.Count(e => e.Method == "PUT") >= 3);
            await Task.Delay(500);
            Assert.Equal(ids.Select(id => $"/hook/Observation/{id}"), _receiver.Puts.Select(p => p.Path));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        }
    }

    [Fact]
    public async Task Heartbeats_of_a_quiet_topic_subscription_resume_after_a_restart_without_any_delivery()
    {
        string database;
        using (var first = new FhirApplication { KeepDatabase = true }.Fast())
        {
            database = first.DatabasePath;
            await SubscribeAsync(first.CreateClient(), Topic(_receiver.Endpoint, "empty", heartbeat: 1));
        }

        try
        {
            _receiver.Clear();
            using var restarted = new FhirApplication().Fast().With("ConnectionStrings:Fhir", $"Data Source={database}");
            _ = restarted.CreateClient();

            // Nothing is written and nothing is pending: only a heartbeat can reach the receiver.
            var (status, bundle) = TopicSubscriptionTests.Read((await _receiver.WaitAsync(r => r.Count >= 1, seconds: 15, what: "a heartbeat after the restart"))[0]);
            Assert.Equal("heartbeat", TopicSubscriptionTests.Type(status));
            Assert.Single(bundle.Entry);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        }
    }
}
