using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Http;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

/// <summary>
/// References written as absolute URLs under this server's own base (<c>http://localhost/fhir/Patient/p</c> for the
/// test client, without <c>Fhir:PublicBaseUrl</c>) are the local ones for search, includes, chains, <c>_has</c> and
/// referential integrity, and are stored as written; a reference to another server's base stays external.
/// </summary>
public sealed class OwnBaseReferenceTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    /// <summary>The request's own base: no public base is configured, and the test client talks to http://localhost.</summary>
    private const string OwnBase = "http://localhost/fhir";

    private readonly HttpClient _client = app.CreateClient();

    private async Task<string> StorePatientAsync()
    {
        var id = $"ob-{Guid.NewGuid():N}"[..30];
        await Patients.StoreAsync(_client, id);
        return id;
    }

    private async Task<Observation> CreateAsync(Observation observation)
    {
        using var response = await _client.PostAsync("/fhir/Observation", observation);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST Observation answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.ReadAsAsync<Observation>();
    }

    private async Task<List<string>> IdsAsync(string url, Bundle.SearchEntryMode mode = Bundle.SearchEntryMode.Match) =>
        [.. (await _client.SearchAsync(url)).Entry.Where(e => e.Search?.Mode == mode).Select(e => $"{e.Resource!.TypeName}/{e.Resource.Id}").Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_reference_under_our_base_is_stored_as_written_and_found_by_relative_absolute_and_id_values()
    {
        var patient = await StorePatientAsync();
        var observation = await CreateAsync(Clinical.ScoreFor($"{OwnBase}/Patient/{patient}"));

        var stored = await (await _client.GetAsync($"/fhir/Observation/{observation.Id}")).ReadAsAsync<Observation>();
        Assert.Equal($"{OwnBase}/Patient/{patient}", stored.Subject?.Reference);
        string[] expected = [$"Observation/{observation.Id}"];
        Assert.Equal(expected, await IdsAsync($"/fhir/Observation?subject=Patient/{patient}"));
        Assert.Equal(expected, await IdsAsync($"/fhir/Observation?patient={patient}"));
        Assert.Equal(expected, await IdsAsync($"/fhir/Observation?subject={Uri.EscapeDataString($"{OwnBase}/Patient/{patient}")}"));
        Assert.Equal(expected, await IdsAsync($"/fhir/Observation?subject:Patient.identifier=http://clinic.example.org/mrn|mrn-{patient}"));
        Assert.Equal([$"Patient/{patient}"], await IdsAsync($"/fhir/Patient?_has:Observation:subject:_id={observation.Id}"));
    }

    [Fact]
    public async Task A_relative_reference_is_found_by_an_absolute_value_under_our_base()
    {
        var patient = await StorePatientAsync();
        var observation = await CreateAsync(Clinical.ScoreFor($"Patient/{patient}"));

        Assert.Equal([$"Observation/{observation.Id}"], await IdsAsync($"/fhir/Observation?subject={Uri.EscapeDataString($"{OwnBase}/Patient/{patient}")}"));
    }

    [Fact]
    public async Task Include_and_revinclude_follow_a_reference_under_our_base()
    {
        var patient = await StorePatientAsync();
        var observation = await CreateAsync(Clinical.ScoreFor($"{OwnBase}/Patient/{patient}"));

        Assert.Equal([$"Patient/{patient}"], await IdsAsync($"/fhir/Observation?_id={observation.Id}&_include=Observation:subject", Bundle.SearchEntryMode.Include));
        Assert.Equal([$"Observation/{observation.Id}"], await IdsAsync($"/fhir/Patient?_id={patient}&_revinclude=Observation:subject", Bundle.SearchEntryMode.Include));
    }

    [Fact]
    public async Task A_patient_referred_to_under_our_base_cannot_be_deleted_as_with_a_relative_reference()
    {
        var patient = await StorePatientAsync();
        var observation = await CreateAsync(Clinical.ScoreFor($"{OwnBase}/Patient/{patient}"));

        using var refused = await _client.DeleteAsync($"/fhir/Patient/{patient}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"Observation/{observation.Id}", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/fhir/Patient/{patient}")).StatusCode);
    }

    [Theory]
    [InlineData("/Patient/{0}-missing")]
    [InlineData("/Patient/{0}/_history/9")]
    public async Task A_reference_under_our_base_to_nothing_is_refused_as_the_relative_one_and_stores_nothing(string path)
    {
        var patient = await StorePatientAsync();
        var reference = OwnBase + string.Format(System.Globalization.CultureInfo.InvariantCulture, path, patient);
        var relative = reference[(OwnBase.Length + 1)..];

        using var absoluteAnswer = await _client.PostAsync("/fhir/Observation", Clinical.ScoreFor(reference));
        using var relativeAnswer = await _client.PostAsync("/fhir/Observation", Clinical.ScoreFor(relative));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, relativeAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, absoluteAnswer.StatusCode);
        var issue = Assert.Single((await absoluteAnswer.ReadAsAsync<OperationOutcome>()).Issue);
        Assert.Equal(OperationOutcome.IssueType.NotFound, issue.Code);
        Assert.Contains(reference, issue.Diagnostics, StringComparison.Ordinal);
        Assert.Empty(await IdsAsync($"/fhir/Observation?subject=Patient/{patient}"));
    }

    [Fact]
    public async Task A_versioned_reference_under_our_base_behaves_as_the_relative_one()
    {
        var patient = await StorePatientAsync();
        var observation = await CreateAsync(Clinical.ScoreFor($"{OwnBase}/Patient/{patient}/_history/1"));

        Assert.Equal([$"Observation/{observation.Id}"], await IdsAsync($"/fhir/Observation?subject=Patient/{patient}"));
        Assert.Equal(HttpStatusCode.Conflict, (await _client.DeleteAsync($"/fhir/Patient/{patient}")).StatusCode);
    }

    [Fact]
    public async Task A_reference_to_another_servers_base_stays_external()
    {
        var patient = await StorePatientAsync();
        var external = $"http://other.example/fhir/Patient/{patient}";
        var observation = await CreateAsync(Clinical.ScoreFor(external));

        Assert.Empty(await IdsAsync($"/fhir/Observation?subject=Patient/{patient}"));
        Assert.Equal([$"Observation/{observation.Id}"], await IdsAsync($"/fhir/Observation?subject={Uri.EscapeDataString(external)}"));
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/fhir/Patient/{patient}")).StatusCode);
    }

    [Fact]
    public async Task A_transaction_entry_referring_under_our_base_to_a_stored_patient_is_local_too()
    {
        var patient = await StorePatientAsync();
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = $"urn:uuid:{Guid.NewGuid()}",
            Resource = Clinical.ScoreFor($"{OwnBase}/Patient/{patient}"),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
        });

        using var response = await _client.PostAsync("/fhir", bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await IdsAsync($"/fhir/Observation?subject=Patient/{patient}"));
        Assert.Equal(HttpStatusCode.Conflict, (await _client.DeleteAsync($"/fhir/Patient/{patient}")).StatusCode);
    }
}

/// <summary>
/// With <c>Fhir:PublicBaseUrl</c> configured, that base is ours whatever host a request came in on: references under it
/// are local, and one under the request's own host (here a made-up one) is another server's.
/// </summary>
public sealed class PublicBaseReferenceTests(PublicBaseUrlApplication app) : IClassFixture<PublicBaseUrlApplication>
{
    private const string PublicBase = PublicBaseUrlApplication.PublicBase;

    private readonly HttpClient _client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://evil.example") });

    private readonly HttpClient _local = app.CreateClient();

    [Fact]
    public async Task References_under_the_public_base_are_local_from_any_host_and_the_requests_own_host_is_not()
    {
        var patient = $"pb-{Guid.NewGuid():N}"[..30];
        await Patients.StoreAsync(_client, patient);

        using var viaPublic = await _client.PostAsync("/fhir/Observation", Clinical.ScoreFor($"{PublicBase}/Patient/{patient}"));
        using var viaOtherHost = await _local.PostAsync("/fhir/Observation", Clinical.ScoreFor($"{PublicBase}/Patient/{patient}"));
        using var viaRequestHost = await _client.PostAsync("/fhir/Observation", Clinical.ScoreFor($"http://evil.example/fhir/Patient/{patient}"));
        Assert.Equal(HttpStatusCode.Created, viaPublic.StatusCode);
        Assert.Equal(HttpStatusCode.Created, viaOtherHost.StatusCode);
        Assert.Equal(HttpStatusCode.Created, viaRequestHost.StatusCode);

        var found = (await _local.SearchAsync($"/fhir/Observation?subject=Patient/{patient}")).Entry.Select(e => e.Resource!.Id).Order(StringComparer.Ordinal);
        Assert.Equal(
            new[] { (await viaPublic.ReadAsAsync<Observation>()).Id, (await viaOtherHost.ReadAsAsync<Observation>()).Id }.Order(StringComparer.Ordinal),
            found);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.DeleteAsync($"/fhir/Patient/{patient}")).StatusCode);
    }
}
