using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Http;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;
using static AllianceFhir.Api.Tests.Subscriptions.SubscriptionTesting;

namespace AllianceFhir.Api.Tests.Subscriptions;

/// <summary>
/// Criteria whose reference values are absolute URLs under this server's own base match as a search with them does
/// (R4 search.html: "A relative reference resolving to the same value as a specified absolute URL, or vice versa,
/// qualifies as a match"), with the base the Subscription was created at, since matching runs in other requests' commits.
/// Non-matching writes come first: notifications arrive in commit order, so once the matching one arrived an earlier
/// wrong one would have too.
/// </summary>
public sealed class OwnBaseCriteriaTests : IDisposable
{
    /// <summary>The test client's own base: no public base is configured, and it talks to http://localhost.</summary>
    private const string OwnBase = "http://localhost/fhir";

    private const string OtherBase = "http://other.example/fhir";

    /// <summary>Where the server records the base a Subscription was created at.</summary>
    private const string ServiceBaseExtension = "http://alliancefhir.org/fhir/StructureDefinition/subscription-service-base";

    private readonly FhirApplication _app = new FhirApplication().Fast();
    private readonly Receiver _receiver = new();
    private readonly string _patient = $"sb-{Guid.NewGuid():N}"[..30];

    public void Dispose()
    {
        _app.Dispose();
        _receiver.Dispose();
    }

    private async Task<HttpClient> ClientWithPatientAsync()
    {
        var client = _app.CreateClient();
        await Patients.StoreAsync(client, _patient);
        return client;
    }

    /// <summary>The one resource PUT to the receiver once <paramref name="expected"/> arrived.</summary>
    private async Task AssertOnlyNotifiedOfAsync(string expected)
    {
        var puts = await _receiver.WaitAsync(r => r.Any(e => e.Method == "PUT" && e.Path == $"/hook/Observation/{expected}"), what: $"the PUT of Observation/{expected}");
        Assert.Equal([$"/hook/Observation/{expected}"], puts.Where(e => e.Method == "PUT").Select(e => e.Path));
    }

    [Fact]
    public async Task Criteria_under_our_base_notify_of_a_relative_reference_and_not_of_one_under_another_base()
    {
        var client = await ClientWithPatientAsync();
        await SubscribeAsync(client, RestHook($"Observation?subject={OwnBase}/Patient/{_patient}", _receiver.Endpoint));

        await CreateAsync(client, Clinical.ScoreFor($"{OtherBase}/Patient/{_patient}"));
        var relative = await CreateAsync(client, Clinical.ScoreFor($"Patient/{_patient}"));

        await AssertOnlyNotifiedOfAsync(relative);
    }

    [Fact]
    public async Task Relative_criteria_notify_of_a_reference_written_under_our_base()
    {
        var client = await ClientWithPatientAsync();
        await SubscribeAsync(client, RestHook($"Observation?subject=Patient/{_patient}", _receiver.Endpoint));

        await CreateAsync(client, Clinical.ScoreFor($"{OtherBase}/Patient/{_patient}"));
        var absolute = await CreateAsync(client, Clinical.ScoreFor($"{OwnBase}/Patient/{_patient}"));

        await AssertOnlyNotifiedOfAsync(absolute);
    }

    [Fact]
    public async Task Criteria_under_another_base_match_only_that_url_whatever_base_a_client_claims_for_the_subscription()
    {
        var client = await ClientWithPatientAsync();
        var subscription = RestHook($"Observation?subject={OtherBase}/Patient/{_patient}", _receiver.Endpoint);
        subscription.SetExtension(ServiceBaseExtension, new FhirUrl(OtherBase));
        var stored = await SubscribeAsync(client, subscription);

        await CreateAsync(client, Clinical.ScoreFor($"Patient/{_patient}"));
        var external = await CreateAsync(client, Clinical.ScoreFor($"{OtherBase}/Patient/{_patient}"));

        await AssertOnlyNotifiedOfAsync(external);
        Assert.Equal(OwnBase, stored.GetExtensionValue<FhirUrl>(ServiceBaseExtension)?.Value);
    }

    [Fact]
    public async Task The_base_is_the_one_the_subscription_was_created_at_not_the_writers()
    {
        var writer = await ClientWithPatientAsync();
        var subscriber = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://clinic.test") });
        await SubscribeAsync(subscriber, RestHook($"Observation?subject=http://clinic.test/fhir/Patient/{_patient}", _receiver.Endpoint));

        await CreateAsync(writer, Clinical.ScoreFor($"{OtherBase}/Patient/{_patient}"));
        var relative = await CreateAsync(writer, Clinical.ScoreFor($"Patient/{_patient}"));

        await AssertOnlyNotifiedOfAsync(relative);
    }

    [Fact]
    public async Task A_topic_filter_under_our_base_notifies_of_a_relative_subject_and_not_of_another_patient()
    {
        var client = _app.CreateClient();
        var other = $"sb-other-{Guid.NewGuid():N}"[..30];
        await InstrumentResponses.StoreSubjectAsync(client, _patient);
        await InstrumentResponses.StoreSubjectAsync(client, other);
        await SubscribeAsync(client, Topic(_receiver.Endpoint, "id-only", $"QuestionnaireResponse?subject={OwnBase}/Patient/{_patient}"));
        _receiver.Clear();

        var srs = await InstrumentResponses.FetchAsync(client, "srs");
        await CreateAsync(client, InstrumentResponses.Decimals(srs, other, 2, 2, 2, 2));
        var completed = await CreateAsync(client, InstrumentResponses.Decimals(srs, _patient, 2, 2, 2, 2));

        var requests = await _receiver.WaitAsync(r => r.Any(e => e.Body.Contains($"/QuestionnaireResponse/{completed}", StringComparison.Ordinal)), what: "the notification of the response");
        var focus = Assert.Single(requests, e => e.Body.Contains("notification-event", StringComparison.Ordinal));
        Assert.EndsWith($"/QuestionnaireResponse/{completed}", TopicSubscriptionTests.Read(focus).Bundle.Entry[1].FullUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Criteria_naming_a_url_under_our_base_of_the_wrong_type_are_refused_as_the_search_is_and_nothing_is_stored()
    {
        var client = await ClientWithPatientAsync();
        var criteria = $"Observation?subject:Group={OwnBase}/Patient/{_patient}";
        using var search = await client.GetAsync($"/fhir/{criteria}");
        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);

        using var created = await client.PostAsync("/fhir/Subscription", RestHook(criteria, _receiver.Endpoint));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, created.StatusCode);
        var issue = Assert.Single((await created.ReadAsAsync<OperationOutcome>()).Issue);
        Assert.Equal("Subscription.criteria", Assert.Single(issue.Expression));
        Assert.Contains("is not a Group reference", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Empty((await client.SearchAsync("/fhir/Subscription")).Entry);
    }
}

/// <summary>With <c>Fhir:PublicBaseUrl</c> configured, criteria under it are local whatever host the subscriber used, and its own host's are not.</summary>
public sealed class PublicBaseCriteriaTests : IDisposable
{
    private const string PublicBase = PublicBaseUrlApplication.PublicBase;

    private readonly FhirApplication _app = new PublicBaseUrlApplication().Fast();
    private readonly Receiver _receiver = new();

    public void Dispose()
    {
        _app.Dispose();
        _receiver.Dispose();
    }

    [Fact]
    public async Task Criteria_under_the_public_base_notify_of_relative_references_and_the_request_hosts_urls_stay_external()
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://evil.example") });
        var patient = $"pb-{Guid.NewGuid():N}"[..30];
        await Patients.StoreAsync(client, patient);
        await SubscribeAsync(client, RestHook($"Observation?subject={PublicBase}/Patient/{patient}", _receiver.Endpoint));
        await SubscribeAsync(client, RestHook($"Observation?subject=http://evil.example/fhir/Patient/{patient}", _receiver.Endpoint + "/host"));

        // Each subscription's notifications arrive in commit order: a wrong match of the first write would come first.
        var relative = await CreateAsync(client, Clinical.ScoreFor($"Patient/{patient}"));
        var external = await CreateAsync(client, Clinical.ScoreFor($"http://evil.example/fhir/Patient/{patient}"));

        var puts = await _receiver.WaitAsync(
            r => r.Any(e => e.Path == $"/hook/Observation/{relative}") && r.Any(e => e.Path == $"/hook/host/Observation/{external}"),
            what: "both PUTs");
        Assert.Equal([$"/hook/Observation/{relative}"], puts.Where(e => e.Method == "PUT" && !e.Path.StartsWith("/hook/host/", StringComparison.Ordinal)).Select(e => e.Path));
        Assert.Equal([$"/hook/host/Observation/{external}"], puts.Where(e => e.Method == "PUT" && e.Path.StartsWith("/hook/host/", StringComparison.Ordinal)).Select(e => e.Path));
    }
}
