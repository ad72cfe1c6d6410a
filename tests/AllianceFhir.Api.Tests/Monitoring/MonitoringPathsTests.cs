using System.Net;
using AllianceFhir.Api.Tests.Import;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Monitoring;

/// <summary>
/// The rules run on every write path in the same commit as the scores: a transaction holding several sessions of one
/// patient (each entry sees the scores and Flags the earlier entries derived), and $import, where the sessions of one
/// batch see each other as the entries of a transaction do.
/// </summary>
public sealed class MonitoringPathsTests : IDisposable
{
    private const string FlagSystem = "http://alliancefhir.org/fhir/monitoring-flag";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", Guid.NewGuid().ToString("N"));
    private readonly FhirApplication _app;
    private readonly HttpClient _client;

    public MonitoringPathsTests()
    {
        _app = new FhirApplication().With("Import:Folder", _folder).With("Import:PollMilliseconds", "100");
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_transaction_of_three_sessions_opens_and_resolves_flags_as_if_submitted_one_by_one()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "tx-srs");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var (authored, values) in new[]
        {
            ("2026-06-01T10:00:00Z", new[] { 10m, 10m, 10m, 10m }), // 40
            ("2026-06-08T10:00:00Z", new[] { 8m, 8m, 8m, 8m }), // 32: below 36, fell from 40, every line below 9
            ("2026-06-15T10:00:00Z", new[] { 9m, 9m, 9m, 9m }), // 36: clears the low total and the low lines, not the fall
        })
        {
            var response = InstrumentResponses.Decimals(srs, "tx-srs", values);
            response.Authored = authored;
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{Guid.NewGuid()}",
                Resource = response,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "QuestionnaireResponse" },
            });
        }

        using var result = await _client.PostAsync("/fhir", bundle);
        Assert.True(result.StatusCode == HttpStatusCode.OK, await result.Content.ReadAsStringAsync());

        var flags = await FlagsAsync("tx-srs");
        Assert.Equal(3, flags.Count);
        Assert.Equal(Flag.FlagStatus.Active, flags.Single(f => Rule(f) == "srs-drop").Status);
        Assert.Equal(Flag.FlagStatus.Inactive, flags.Single(f => Rule(f) == "srs-total-low").Status);
        Assert.Equal(Flag.FlagStatus.Inactive, flags.Single(f => Rule(f) == "srs-item-low").Status);
        Assert.All(flags, f => Assert.Equal("1", f.Meta!.VersionId)); // resolved within the commit: one version each
    }

    [Fact]
    public async Task Import_runs_the_rules_in_the_batch_commit()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "imp-srs");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        await ImportAsync(srs, "2026-07-01T10:00:00Z", 10, 10, 10, 10); // 40
        Assert.Empty(await FlagsAsync("imp-srs"));

        await ImportAsync(srs, "2026-07-08T10:00:00Z", 9, 9, 9, 8.5m); // 35.5: below 36, fell, line 4 below 9
        var flags = await FlagsAsync("imp-srs");
        Assert.Equal(["srs-drop", "srs-item-low", "srs-total-low"], flags.Select(Rule).Order(StringComparer.Ordinal));
        Assert.All(flags, f => Assert.Equal(Flag.FlagStatus.Active, f.Status));
    }

    /// <summary>
    /// Hand-computed: SRS 40, 35 (line 2 at 8), 36, 40 and ORS 20, 15, 24, 24.9, 25 in one file, so in one batch. Each
    /// session must see the ones before it in the same batch, so the Flags and change Observations equal those of the same
    /// series submitted one response at a time over REST.
    /// </summary>
    [Fact]
    public async Task Sessions_of_one_patient_in_one_import_batch_see_each_other_as_over_rest()
    {
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var ors = await InstrumentResponses.FetchAsync(_client, "ors");
        (Questionnaire Form, string Authored, decimal[] Values)[] series =
        [
            (srs, "2026-08-03T10:00:00Z", [10, 10, 10, 10]), // 40
            (ors, "2026-08-03T10:05:00Z", [5, 5, 5, 5]), // intake 20
            (srs, "2026-08-10T10:00:00Z", [9, 8, 9, 9]), // 35: below 36, line 2 below 9, fell from 40
            (ors, "2026-08-10T10:05:00Z", [4, 4, 4, 3]), // 15: −5, reliable deterioration
            (srs, "2026-08-17T10:00:00Z", [9, 9, 9, 9]), // 36: clears the low total and line, not the fall
            (ors, "2026-08-17T10:05:00Z", [6, 6, 6, 6]), // 24: +4 unchanged, deterioration clears
            (srs, "2026-08-24T10:00:00Z", [10, 10, 10, 10]), // 40: the fall clears
            (ors, "2026-08-24T10:05:00Z", [6, 6, 6, 6.9m]), // 24.9 at session 4: no reliable improvement
            (ors, "2026-08-31T10:05:00Z", [7, 6, 6, 6]), // 25: +5 across the cut-off 25, recovered; clears session 4's flag
        ];
        QuestionnaireResponse Build(string patient, (Questionnaire Form, string Authored, decimal[] Values) session)
        {
            var response = InstrumentResponses.Decimals(session.Form, patient, session.Values);
            response.Authored = session.Authored;
            return response;
        }

        await InstrumentResponses.StoreSubjectAsync(_client, "batch-rest");
        foreach (var session in series)
        {
            using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", Build("batch-rest", session));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await InstrumentResponses.StoreSubjectAsync(_client, "batch-import");
        using (var start = await ImportClient.UploadAsync(_client, ImportClient.Ndjson([.. series.Select(s => Build("batch-import", s))])))
        {
            var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(start));
            Assert.Equal(series.Length, ImportClient.Count(manifest, 0));
        }

        var imported = await MonitoringScores.OutcomesAsync(_client, "batch-import");
        Assert.Equal(await MonitoringScores.OutcomesAsync(_client, "batch-rest"), imported);

        var flags = await FlagsAsync("batch-import");
        Assert.Equal(
            ["ors-deterioration Inactive", "ors-no-improvement Inactive", "srs-drop Inactive", "srs-item-low Inactive", "srs-total-low Inactive"],
            flags.Select(f => $"{Rule(f)} {f.Status}").Order(StringComparer.Ordinal));
        var changes = await MonitoringScores.ChangesAsync(_client, "batch-import");
        Assert.Equal([-5m, 4m, 4.9m, 5m], changes.Select(o => ((Quantity)o.Value!).Value!.Value));
        Assert.Equal(["deteriorated", "unchanged", "unchanged", "recovered"], changes.Select(o => o.Interpretation.Single().Coding.Single().Code));
    }

    [Fact]
    public async Task Score_observations_imported_in_one_batch_run_the_rules_as_over_rest()
    {
        Observation[] Series(string patient) =>
        [
            MonitoringScores.Score(patient, "srs-total", 40, "2026-09-07T10:00:00Z"),
            MonitoringScores.Score(patient, "srs-total", 33, "2026-09-14T10:00:00Z"), // below 36, fell from 40
            MonitoringScores.Score(patient, "srs-total", 37, "2026-09-21T10:00:00Z"), // clears the low total, not the fall
        ];

        await Patients.StoreAsync(_client, "obs-rest");
        foreach (var observation in Series("obs-rest"))
        {
            using var created = await _client.PostAsync("/fhir/Observation", observation);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await Patients.StoreAsync(_client, "obs-import");
        using (var start = await ImportClient.UploadAsync(_client, ImportClient.Ndjson(Series("obs-import"))))
        {
            var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(start));
            Assert.Equal(3, ImportClient.Count(manifest, 0));
        }

        Assert.Equal(await MonitoringScores.OutcomesAsync(_client, "obs-rest"), await MonitoringScores.OutcomesAsync(_client, "obs-import"));
        Assert.Equal(
            ["srs-drop Active", "srs-total-low Inactive"],
            (await FlagsAsync("obs-import")).Select(f => $"{Rule(f)} {f.Status}").Order(StringComparer.Ordinal));
    }

    private async Task ImportAsync(Questionnaire questionnaire, string authored, params decimal[] values)
    {
        var response = InstrumentResponses.Decimals(questionnaire, "imp-srs", values);
        response.Authored = authored;
        using var start = await ImportClient.UploadAsync(_client, ImportClient.Ndjson(response));
        var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(start));
        Assert.Equal(1, ImportClient.Count(manifest, 0));
    }

    private async Task<List<Flag>> FlagsAsync(string patient)
    {
        using var response = await _client.GetAsync($"/fhir/Flag?patient=Patient/{patient}&identifier={FlagSystem}|");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadAsAsync<Bundle>()).Entry.Select(e => e.Resource).OfType<Flag>().ToList();
    }

    private static string Rule(Flag flag) => flag.Code!.Coding.Single().Code!;
}
