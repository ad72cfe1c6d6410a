using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Monitoring;

/// <summary>
/// The rules of monitoring-rules.json over hand-computed series, submitted as a clinic would (one response per session)
/// and read back as Flags and change Observations. Values sit on the boundaries: SRS 36 is not below 36, an item of 9
/// is not below 9, an ORS change of exactly 5 is reliable.
/// </summary>
public sealed class MonitoringRulesOverRestTests : IClassFixture<FhirApplication>
{
    private const string FlagSystem = "http://alliancefhir.org/fhir/monitoring-flag";
    private readonly HttpClient _client;

    public MonitoringRulesOverRestTests(FhirApplication app) => _client = app.CreateClient();

    [Fact]
    public async Task Srs_low_total_low_line_and_fall_open_and_clear_on_later_sessions()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "mon-srs");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");

        await SubmitAsync(srs, "mon-srs", "2026-03-02T10:00:00Z", 10, 10, 10, 10); // 40
        Assert.Empty(await FlagsAsync("mon-srs"));

        var s2 = await SubmitAsync(srs, "mon-srs", "2026-03-09T10:00:00Z", 9, 8, 9, 9); // 35: below 36, line 2 below 9, fell from 40
        var open = await FlagsAsync("mon-srs");
        Assert.Equal(["srs-drop", "srs-item-low", "srs-total-low"], open.Select(RuleOf).Order(StringComparer.Ordinal));
        Assert.All(open, f => Assert.Equal(Flag.FlagStatus.Active, f.Status));
        var low = open.Single(f => RuleOf(f) == "srs-total-low");
        Assert.Equal("Patient/mon-srs", low.Subject.Reference);
        Assert.Contains("SRS total 35 is below 36", low.Code!.Text, StringComparison.Ordinal);
        Assert.Equal(await ScoreIdAsync(s2, "srs-total"), Details(low).Single());
        Assert.Equal(await ScoreIdAsync(s2, "srs-item-2"), Details(open.Single(f => RuleOf(f) == "srs-item-low")).Single());
        Assert.Equal(2, Details(open.Single(f => RuleOf(f) == "srs-drop")).Count);

        var s3 = await SubmitAsync(srs, "mon-srs", "2026-03-16T10:00:00Z", 9, 9, 9, 9); // 36: not below 36, no line below 9, still under 40
        var after3 = await FlagsAsync("mon-srs");
        Assert.Equal(Flag.FlagStatus.Inactive, after3.Single(f => RuleOf(f) == "srs-total-low").Status);
        Assert.Equal(await ScoreIdAsync(s3, "srs-total"), ResolvedBy(after3.Single(f => RuleOf(f) == "srs-total-low")));
        Assert.Equal("2026-03-16T10:00:00Z", after3.Single(f => RuleOf(f) == "srs-total-low").Period!.End);
        Assert.Equal(Flag.FlagStatus.Inactive, after3.Single(f => RuleOf(f) == "srs-item-low").Status);
        Assert.Equal(Flag.FlagStatus.Active, after3.Single(f => RuleOf(f) == "srs-drop").Status);

        await SubmitAsync(srs, "mon-srs", "2026-03-23T10:00:00Z", 10, 10, 10, 10); // 40: back to where it fell from
        var after4 = await FlagsAsync("mon-srs");
        Assert.Equal(3, after4.Count);
        Assert.All(after4, f => Assert.Equal(Flag.FlagStatus.Inactive, f.Status));
    }

    [Fact]
    public async Task Ors_change_from_intake_gives_categories_and_flags_deterioration_and_no_improvement_by_session_4()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "mon-ors");
        var ors = await InstrumentResponses.FetchAsync(_client, "ors");

        await SubmitAsync(ors, "mon-ors", "2026-04-01T10:00:00Z", 5, 5, 5, 5); // intake 20, below the adult cut-off 25
        await SubmitAsync(ors, "mon-ors", "2026-04-08T10:00:00Z", 4, 4, 4, 3); // 15: −5, reliable deterioration
        Assert.Equal(["ors-deterioration"], (await FlagsAsync("mon-ors")).Where(f => f.Status == Flag.FlagStatus.Active).Select(RuleOf));

        await SubmitAsync(ors, "mon-ors", "2026-04-15T10:00:00Z", 6, 6, 6, 6); // 24: +4, unchanged; deterioration clears
        await SubmitAsync(ors, "mon-ors", "2026-04-22T10:00:00Z", 6, 6, 6, 6.9m); // 24.9 at session 4: not 5 above intake
        var flags = await FlagsAsync("mon-ors");
        Assert.Equal(Flag.FlagStatus.Inactive, flags.Single(f => RuleOf(f) == "ors-deterioration").Status);
        Assert.Equal(Flag.FlagStatus.Active, flags.Single(f => RuleOf(f) == "ors-no-improvement").Status);

        await SubmitAsync(ors, "mon-ors", "2026-04-29T10:00:00Z", 7, 6, 6, 6); // 25: +5 and across 25 → recovered
        Assert.Equal(Flag.FlagStatus.Inactive, (await FlagsAsync("mon-ors")).Single(f => RuleOf(f) == "ors-no-improvement").Status);

        var changes = await SearchAsync<Observation>("Observation?subject=Patient/mon-ors&code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|ors-change-intake&_sort=date");
        Assert.Equal([-5m, 4m, 4.9m, 5m], changes.Select(o => ((Quantity)o.Value!).Value!.Value));
        Assert.Equal(["deteriorated", "unchanged", "unchanged", "recovered"], changes.Select(o => o.Interpretation.Single().Coding.Single().Code));
    }

    private async Task<QuestionnaireResponse> SubmitAsync(Questionnaire questionnaire, string patient, string authored, params decimal[] values)
    {
        var response = InstrumentResponses.Decimals(questionnaire, patient, values);
        response.Authored = authored;
        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await created.ReadAsAsync<QuestionnaireResponse>();
    }

    private async Task<string> ScoreIdAsync(QuestionnaireResponse response, string code)
    {
        var found = await SearchAsync<Observation>($"Observation?derived-from=QuestionnaireResponse/{response.Id}&code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|{code}");
        return $"Observation/{found.Single().Id}";
    }

    private Task<List<Flag>> FlagsAsync(string patient) => SearchAsync<Flag>($"Flag?patient=Patient/{patient}&identifier={FlagSystem}|");

    private async Task<List<T>> SearchAsync<T>(string url)
        where T : Resource
    {
        using var response = await _client.GetAsync($"/fhir/{url}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = await response.ReadAsAsync<Bundle>();
        return bundle.Entry.Select(e => e.Resource).OfType<T>().ToList();
    }

    private static string RuleOf(Flag flag) => flag.Code!.Coding.Single().Code!;

    private static List<string> Details(Flag flag) =>
        flag.GetExtensions("http://hl7.org/fhir/StructureDefinition/flag-detail").Select(e => ((ResourceReference)e.Value!).Reference!).ToList();

    private static string? ResolvedBy(Flag flag) =>
        (flag.GetExtension("http://alliancefhir.org/fhir/StructureDefinition/flag-resolved-by")?.Value as ResourceReference)?.Reference;
}
