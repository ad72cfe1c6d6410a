using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>R4 rest-hook delivery to a WireMock EHR: each payload, custom headers, order, and every write path.</summary>
public sealed class RestHookDeliveryTests : IDisposable
{
    private readonly FhirApplication _app = new FhirApplication().Fast();
    private readonly Receiver _receiver = new();

    public void Dispose()
    {
        _app.Dispose();
        _receiver.Dispose();
    }

    [Fact]
    public async Task A_json_subscription_is_activated_by_a_handshake_and_PUTs_each_matching_resource_with_its_headers()
    {
        var client = _app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        await SubscribeAsync(client, RestHook($"Observation?code={Codes}|{code}", _receiver.Endpoint, "application/fhir+json", "Authorization: Bearer ehr-secret", "X-Clinic: north"));
        var handshake = Assert.Single(_receiver.Requests);
        Assert.Equal("POST", handshake.Method);
        Assert.Equal("Bearer ehr-secret", handshake.Header("Authorization"));

        var matching = await CreateAsync(client, Observation(code, 7));
        await CreateAsync(client, Observation("other-" + code, 8));

        var put = Assert.Single(await _receiver.WaitAsync(r => r.Any(e => e.Method == "PUT")), e => e.Method == "PUT");
        Assert.Equal($"/hook/Observation/{matching}", put.Path);
        Assert.Equal("Bearer ehr-secret", put.Header("Authorization"));
        Assert.Equal("north", put.Header("X-Clinic"));
        Assert.StartsWith("application/fhir+json", put.Header("Content-Type"));
        var sent = (Observation)FhirSerialization.JsonDeserializer.DeserializeResource(put.Body);
        Assert.Equal(matching, sent.Id);
        Assert.Equal(7m, Assert.IsType<Quantity>(sent.Value).Value);

        // The non-matching write is never sent.
        await Task.Delay(300);
        Assert.Single(_receiver.Puts);
    }

    [Fact]
    public async Task An_xml_subscription_PUTs_xml_and_a_subscription_without_payload_pings_with_an_empty_POST()
    {
        var client = _app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint, "application/fhir+xml"));
        await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint + "/ping", payload: null));
        _receiver.Clear();

        var id = await CreateAsync(client, Observation(code, 3));

        var requests = await _receiver.WaitAsync(r => r.Count >= 2);
        var xml = Assert.Single(requests, r => r.Method == "PUT");
        Assert.Equal($"/hook/Observation/{id}", xml.Path);
        Assert.StartsWith("application/fhir+xml", xml.Header("Content-Type"));
        Assert.Equal(id, FhirSerialization.XmlDeserializer.DeserializeResource(xml.Body).Id);
        var ping = Assert.Single(requests, r => r.Method == "POST");
        Assert.Equal("/hook/ping", ping.Path);
        Assert.True(string.IsNullOrEmpty(ping.Body));
    }

    [Fact]
    public async Task Notifications_arrive_in_commit_order()
    {
        var client = _app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint));
        var ids = new List<string>();
        for (var i = 1; i <= 10; i++)
        {
            ids.Add(await CreateAsync(client, Observation(code, i)));
        }

        await _receiver.WaitAsync(r => r.Count(e => e.Method == "PUT") >= 10);
        Assert.Equal(ids.Select(id => $"/hook/Observation/{id}"), _receiver.Puts.Select(p => p.Path));
    }

    [Fact]
    public async Task Writes_of_a_transaction_and_the_score_observations_of_a_submitted_response_are_notified()
    {
        var client = _app.CreateClient();
        var code = Guid.NewGuid().ToString("N");
        await SubscribeAsync(client, RestHook($"Observation?code={code}", _receiver.Endpoint));
        await SubscribeAsync(client, RestHook("Observation?code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|srs-total&value-quantity=lt36", _receiver.Endpoint + "/srs"));
        _receiver.Clear();

        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = Observation(code, 1),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
        });
        using (var transaction = await client.PostAsync("/fhir", bundle))
        {
            Assert.Equal(HttpStatusCode.OK, transaction.StatusCode);
        }

        var patient = "p-" + code[..8];
        await InstrumentResponses.StoreSubjectAsync(client, patient);
        var srs = await InstrumentResponses.FetchAsync(client, "srs");
        await CreateAsync(client, InstrumentResponses.Decimals(srs, patient, 5, 5, 5, 5));
        await CreateAsync(client, InstrumentResponses.Decimals(srs, patient, 10, 10, 10, 10));

        var requests = await _receiver.WaitAsync(r => r.Count(e => e.Method == "PUT") >= 2);
        Assert.Single(requests, r => r.Path.StartsWith("/hook/Observation/", StringComparison.Ordinal));
        var score = Assert.Single(requests, r => r.Path.StartsWith("/hook/srs/Observation/", StringComparison.Ordinal));
        var observation = (Observation)FhirSerialization.JsonDeserializer.DeserializeResource(score.Body);
        Assert.Equal(20m, Assert.IsType<Quantity>(observation.Value).Value);
    }
}
