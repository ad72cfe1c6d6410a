using System.Net;
using System.Net.Http.Headers;
using AllianceFhir.Api.Tests.Export;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Security;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>
/// <c>channel.header</c> carries the EHR endpoint's credential: stored and sent as written, but whoever may not update
/// the Subscription reads every header value as <c>[redacted]</c> (with the REDACTED security label), on every read path;
/// and a masked value written back keeps the stored secret.
/// </summary>
public sealed class ChannelHeaderMaskTests : IDisposable
{
    private const string Secret = "Bearer s3cret-0f-the-ehr";
    private const string Reader = "system/Subscription.rs";

    private readonly IdentityProvider _idp = new();
    private readonly FhirApplication _app;
    private readonly Receiver _receiver = new();
    private readonly string _tenant = "h-" + Guid.NewGuid().ToString("N")[..10];

    public ChannelHeaderMaskTests() => _app = _idp.Protect(new FhirApplication().Fast());

    public void Dispose()
    {
        _app.Dispose();
        _receiver.Dispose();
        _idp.Dispose();
    }

    private HttpClient Client(string scopes)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _idp.Token(scopes, claims: new Dictionary<string, object> { ["tenant"] = _tenant }));
        return client;
    }

    private async Task<(HttpClient Writer, Subscription Subscription, string Code)> SubscribedAsync()
    {
        var writer = Client(SecuredApp.FullAccess);
        var code = Guid.NewGuid().ToString("N");
        var subscription = await SubscribeAsync(writer, RestHook($"Observation?code={code}", _receiver.Endpoint, "application/fhir+json", $"Authorization: {Secret}", "X-Clinic: north"));
        return (writer, subscription, code);
    }

    private static async Task<string> BodyAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static void AssertMasked(Subscription subscription)
    {
        Assert.Equal(["Authorization: [redacted]", "X-Clinic: [redacted]"], subscription.Channel.Header);
        Assert.Contains(subscription.Meta!.Security, c => c.System == "http://terminology.hl7.org/CodeSystem/v3-ObservationValue" && c.Code == "REDACTED");
    }

    [Fact]
    public async Task A_reader_without_update_gets_masked_headers_from_read_vread_search_history_batch_and_xml()
    {
        var (writer, subscription, _) = await SubscribedAsync();
        var reader = Client(Reader);
        var id = subscription.Id!;

        string[] urls =
        [
            $"/fhir/Subscription/{id}",
            $"/fhir/Subscription/{id}/_history/1",
            $"/fhir/Subscription/{id}?_format=xml",
            $"/fhir/Subscription?_id={id}",
            $"/fhir/Subscription/{id}/_history",
            "/fhir/Subscription/_history",
        ];
        foreach (var url in urls)
        {
            var body = await BodyAsync(reader, url);
            Assert.DoesNotContain("s3cret", body, StringComparison.Ordinal);
            Assert.Contains("[redacted]", body, StringComparison.Ordinal);
        }

        AssertMasked((Subscription)FhirSerialization.ParseStored(await BodyAsync(reader, $"/fhir/Subscription/{id}")));
        var searched = (Bundle)FhirSerialization.ParseStored(await BodyAsync(reader, $"/fhir/Subscription?_id={id}"));
        AssertMasked(Assert.IsType<Subscription>(Assert.Single(searched.Entry).Resource));
        var history = (Bundle)FhirSerialization.ParseStored(await BodyAsync(reader, $"/fhir/Subscription/{id}/_history"));
        Assert.All(history.Entry.Where(e => e.Resource is not null), e => AssertMasked(Assert.IsType<Subscription>(e.Resource)));

        var batch = new Bundle
        {
            Type = Bundle.BundleType.Batch,
            Entry = [new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = $"Subscription/{id}" } }],
        };
        using var batchResponse = await reader.PostAsync("/fhir", batch);
        Assert.Equal(HttpStatusCode.OK, batchResponse.StatusCode);
        var batchBody = await batchResponse.Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cret", batchBody, StringComparison.Ordinal);
        AssertMasked(Assert.IsType<Subscription>(((Bundle)FhirSerialization.ParseStored(batchBody)).Entry[0].Resource));

        // Whoever may update it sees the real headers, unlabelled; the receiver got them too.
        var full = (Subscription)FhirSerialization.ParseStored(await BodyAsync(writer, $"/fhir/Subscription/{id}"));
        Assert.Equal([$"Authorization: {Secret}", "X-Clinic: north"], full.Channel.Header);
        Assert.DoesNotContain(full.Meta!.Security, c => c.Code == "REDACTED");
        Assert.Equal(Secret, Assert.Single(_receiver.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task A_Bulk_export_of_Subscriptions_masks_the_headers_even_for_a_writer()
    {
        var (writer, subscription, _) = await SubscribedAsync();

        var export = await ExportClient.ExportAsync(writer, "/fhir/$export?_type=Subscription");

        AssertMasked(Assert.IsType<Subscription>(Assert.Single(export["Subscription"], r => r.Id == subscription.Id)));
    }

    [Fact]
    public async Task A_masked_representation_written_back_keeps_the_stored_secret_and_the_receiver_still_gets_it()
    {
        var (writer, subscription, code) = await SubscribedAsync();
        var masked = (Subscription)FhirSerialization.ParseStored(await BodyAsync(Client(Reader), $"/fhir/Subscription/{subscription.Id}"));
        AssertMasked(masked);
        masked.Reason = "changed through a masked copy";

        using (var put = await writer.PutAsync($"/fhir/Subscription/{subscription.Id}", masked))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var stored = (Subscription)FhirSerialization.ParseStored(await BodyAsync(writer, $"/fhir/Subscription/{subscription.Id}"));
        Assert.Equal("changed through a masked copy", stored.Reason);
        Assert.Equal([$"Authorization: {Secret}", "X-Clinic: north"], stored.Channel.Header);
        Assert.DoesNotContain(stored.Meta!.Security, c => c.Code == "REDACTED");

        _receiver.Clear();
        var observation = await CreateAsync(writer, Observation(code, 1));
        var delivered = Assert.Single(await _receiver.WaitAsync(r => r.Count >= 1, what: "the notification"));
        Assert.Equal($"/hook/Observation/{observation}", delivered.Path);
        Assert.Equal(Secret, delivered.Header("Authorization"));
        Assert.Equal("north", delivered.Header("X-Clinic"));
    }

    [Fact]
    public async Task A_placeholder_with_no_stored_header_behind_it_is_422_and_nothing_is_stored()
    {
        var (writer, subscription, _) = await SubscribedAsync();
        var changed = (Subscription)FhirSerialization.ParseStored(await BodyAsync(writer, $"/fhir/Subscription/{subscription.Id}"));
        var version = changed.Meta!.VersionId;
        changed.Channel.Header = [$"Authorization: {Secret}", "X-Api-Key: [redacted]"];

        using var put = await writer.PutAsync($"/fhir/Subscription/{subscription.Id}", changed);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, put.StatusCode);
        var outcome = await put.ReadAsAsync<OperationOutcome>();
        Assert.Equal("Subscription.channel.header[1]", Assert.Single(outcome.Issue).Expression.Single());
        var after = (Subscription)FhirSerialization.ParseStored(await BodyAsync(writer, $"/fhir/Subscription/{subscription.Id}"));
        Assert.Equal(version, after.Meta!.VersionId);

        using var create = await writer.PostAsync("/fhir/Subscription", RestHook("Observation?code=x", _receiver.Endpoint, "application/fhir+json", "Authorization: [redacted]"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, create.StatusCode);
        var all = (Bundle)FhirSerialization.ParseStored(await BodyAsync(writer, "/fhir/Subscription"));
        Assert.Equal([subscription.Id], all.Entry.Select(e => e.Resource!.Id));
    }
}
