using System.Net;
using AllianceFhir.Api.Tests.Import;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Monitoring;

/// <summary>
/// The rules run on every write path in the same commit as the scores: a transaction holding several sessions of one
/// patient (each entry sees the scores and Flags the earlier entries derived), and $import.
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
