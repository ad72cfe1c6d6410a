using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Bundles;

public class BatchTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Batch_stores_the_good_entries_and_reports_the_failing_one()
    {
        var mrn = Clinical.NewMrn();
        await Patients.StoreAsync(_client, "whoever");
        var mismatched = Patients.WithMrn(Clinical.NewMrn());
        mismatched.Id = "body-id";
        var bundle = BundleBuilder.Batch()
            .Post(Patients.WithMrn(mrn))
            .Put("Patient/url-id", mismatched)
            .Get("Patient/not-there")
            .Put("Patient/batch-stale", new Patient { Id = "batch-stale" }, ifMatch: "W/\"7\"")
            .Post(Clinical.ScoreFor("Patient/whoever", code: $"batch-{mrn}"))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.BatchResponse, result.Type);
        Assert.Equal(["201 Created", "400 Bad Request", "404 Not Found", "412 Precondition Failed", "201 Created"],
            result.Entry.Select(e => e.Response!.Status));
        Assert.Null(result.Entry[0].Response!.Outcome);
        foreach (var failed in result.Entry.Skip(1).Take(3))
        {
            var outcome = Assert.IsType<OperationOutcome>(failed.Response!.Outcome);
            Assert.Equal(OperationOutcome.IssueSeverity.Error, outcome.Issue[0].Severity);
        }

        Assert.Single((await _client.SearchAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}")).Entry);
        Assert.Single((await _client.SearchAsync($"/fhir/Observation?code=batch-{mrn}")).Entry);
        using var notCreated = await _client.GetAsync("/fhir/Patient/batch-stale");
        Assert.Equal(HttpStatusCode.NotFound, notCreated.StatusCode);
    }

    /// <summary>The same overflow as the If-Modified-Since header, from a batch entry: it failed the whole batch with a 500.</summary>
    [Fact]
    public async Task A_read_entry_modified_since_the_end_of_time_is_304()
    {
        await Patients.StoreAsync(_client, "batch-ims");
        var bundle = BundleBuilder.Batch()
            .Add(Bundle.HTTPVerb.GET, "Patient/batch-ims", null, null, r => r.IfModifiedSince = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(["304 Not Modified"], result.Entry.Select(e => e.Response!.Status));
    }

    [Theory]
    [InlineData("_elements=id")]
    [InlineData("_summary=true")]
    [InlineData("_summary=count")]
    public async Task Summary_or_elements_on_the_batch_url_does_not_strip_the_response_bundle(string query)
    {
        var mrn = Clinical.NewMrn();
        var bundle = BundleBuilder.Batch().Post(Patients.WithMrn(mrn)).Get("Patient/not-there").Bundle;

        using var response = await _client.PostAsync($"/fhir?{query}", bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.BatchResponse, result.Type);
        Assert.Equal(["201 Created", "404 Not Found"], result.Entry.Select(e => e.Response!.Status));
        Assert.IsType<OperationOutcome>(result.Entry[1].Response!.Outcome);
        Assert.Single((await _client.SearchAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}")).Entry);
    }

    [Fact]
    public async Task Batch_entries_cannot_reference_each_other()
    {
        var patientUrn = BundleBuilder.NewUrn();
        var bundle = BundleBuilder.Batch()
            .Post(Patients.WithMrn(Clinical.NewMrn()), patientUrn)
            .Post(Clinical.ScoreFor(patientUrn))
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal("201 Created", result.Entry[0].Response!.Status);
        Assert.Equal("400 Bad Request", result.Entry[1].Response!.Status);
        Assert.Contains("independent", result.Entry[1].Response!.Outcome is OperationOutcome o ? o.Issue[0].Diagnostics : null, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_reads_and_searches_answer_per_entry()
    {
        var mrn = Clinical.NewMrn();
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));
        var patient = await created.ReadAsAsync<Patient>();
        var bundle = BundleBuilder.Batch()
            .Get($"Patient/{patient.Id}")
            .Get($"Patient/{patient.Id}", ifNoneMatch: "W/\"1\"")
            .Get($"Patient?identifier={Clinical.MrnSystem}|{mrn}")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        var result = await response.ReadAsAsync<Bundle>();
        Assert.Equal("200 OK", result.Entry[0].Response!.Status);
        Assert.Equal(patient.Id, result.Entry[0].Resource!.Id);
        Assert.Equal("304 Not Modified", result.Entry[1].Response!.Status);
        Assert.Null(result.Entry[1].Resource);
        var searchset = Assert.IsType<Bundle>(result.Entry[2].Resource);
        Assert.Equal(patient.Id, Assert.Single(searchset.Entry).Resource!.Id);
    }

    [Fact]
    public async Task Batch_search_entries_sort_page_and_report_ignored_parameters_as_a_search_does()
    {
        var mrn = Clinical.NewMrn();
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));
        var patient = $"Patient/{(await created.ReadAsAsync<Patient>()).Id}";
        foreach (var day in new[] { "2026-03-02", "2026-03-16", "2026-03-09" })
        {
            var score = Clinical.ScoreFor(patient);
            score.Effective = new FhirDateTime(day);
            using var stored = await _client.PostAsync("/fhir/Observation", score);
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        var bundle = BundleBuilder.Batch()
            .Get($"Observation?subject={patient}&_sort=-date&_count=1")
            .Get($"Observation?subject={patient}&_sort=date&no-such-parameter=1")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        var result = await response.ReadAsAsync<Bundle>();
        var latest = Assert.IsType<Bundle>(result.Entry[0].Resource);
        var only = Assert.IsType<Observation>(Assert.Single(latest.Entry).Resource);
        Assert.Equal("2026-03-16", EffectiveOf(only));
        var next = Assert.Single(latest.Link, l => l.Relation == "next").Url!;

        using var secondPage = await _client.GetAsync(new Uri(next).PathAndQuery);
        var page = await secondPage.ReadAsAsync<Bundle>();
        Assert.Equal("2026-03-09", EffectiveOf((Observation)Assert.Single(page.Entry).Resource!));

        var ascending = Assert.IsType<Bundle>(result.Entry[1].Resource);
        Assert.Equal(
            ["2026-03-02", "2026-03-09", "2026-03-16"],
            ascending.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => EffectiveOf((Observation)e.Resource!)));
        var ignored = Assert.IsType<OperationOutcome>(Assert.Single(ascending.Entry, e => e.Search?.Mode == Bundle.SearchEntryMode.Outcome).Resource);
        Assert.Contains("no-such-parameter", ignored.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_batch_search_entry_fails_alone_with_a_400_outcome()
    {
        var bundle = BundleBuilder.Batch()
            .Get("Observation?date=not-a-date")
            .Get("Observation?_count=1")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        Assert.StartsWith("400", result.Entry[0].Response!.Status, StringComparison.Ordinal);
        var outcome = Assert.IsType<OperationOutcome>(result.Entry[0].Response!.Outcome);
        Assert.Contains("date", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal("200 OK", result.Entry[1].Response!.Status);
    }

    private static string? EffectiveOf(Observation observation) => (observation.Effective as FhirDateTime)?.Value;
}
