using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Instruments;

/// <summary>The EHR journey over HTTP: submit a completed response, get its scores back as Observations.</summary>
public class ScoredResponseTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string ScoreSystem = "http://alliancefhir.org/fhir/CodeSystem/alliance-score";
    private static readonly string[] SrsCodes = ["srs-item-1", "srs-item-2", "srs-item-3", "srs-item-4", "srs-total"];  // ordinal order, as Codes returns them
    private readonly HttpClient _client = app.CreateClient();

    private async Task<List<Observation>> ObservationsOfAsync(string responseId)
    {
        var bundle = await (await _client.GetAsync($"/fhir/Observation?derived-from=QuestionnaireResponse/{responseId}&_count=100")).ReadAsAsync<Bundle>();
        return [.. bundle.Entry.Select(e => e.Resource).OfType<Observation>()];
    }

    private static Observation Scored(IEnumerable<Observation> observations, string code) =>
        observations.Single(o => o.Code.Coding.Any(c => c.System == ScoreSystem && c.Code == code));

    /// <summary>Every score is a UCUM <c>{score}</c> Quantity (docs/monitoring.md); anything else fails here.</summary>
    private static decimal? Score(IEnumerable<Observation> observations, string code)
    {
        var quantity = Assert.IsType<Quantity>(Scored(observations, code).Value);
        Assert.Equal("http://unitsofmeasure.org", quantity.System);
        Assert.Equal("{score}", quantity.Code);
        return quantity.Value;
    }

    /// <summary>The score codes of the Observations, sorted, so a missing or duplicated line shows in the message.</summary>
    private static string[] Codes(IEnumerable<Observation> observations) =>
        [.. observations.SelectMany(o => o.Code.Coding.Where(c => c.System == ScoreSystem).Select(c => c.Code)).OfType<string>().Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Completed_wai_sr_is_stored_with_its_scores_and_four_observations()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "wai-1");
        var waiSr = await InstrumentResponses.FetchAsync(_client, "wai-sr");
        // Items 1..12 answered 1,2,3,4,5,1,2,3,4,5,1,2 (positions are weight - 1).
        var response = InstrumentResponses.Choices(waiSr, "wai-1", 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1);

        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var stored = await created.ReadAsAsync<QuestionnaireResponse>();
        var observations = await ObservationsOfAsync(stored.Id!);
        Assert.Equal(4, observations.Count);
        Assert.Equal(33m, Score(observations, "wai-sr-total"));   // 1+2+3+4+5+1+2+3+4+5+1+2
        Assert.Equal(10m, Score(observations, "wai-sr-task"));    // items 1,2,10,12: 1+2+5+2
        Assert.Equal(9m, Score(observations, "wai-sr-goal"));     // items 4,6,8,11: 4+1+3+1
        Assert.Equal(14m, Score(observations, "wai-sr-bond"));    // items 3,5,7,9: 3+5+2+4
        var total = observations.Single(o => o.Code.Coding.Any(c => c.Code == "wai-sr-total"));
        Assert.Equal(ObservationStatus.Final, total.Status);
        Assert.Equal("survey", total.Category.Single().Coding.Single().Code);
        Assert.Equal("Patient/wai-1", total.Subject?.Reference);
        Assert.Equal("Encounter/session-1", total.Encounter?.Reference);
        Assert.Equal("2026-03-02T10:00:00Z", (total.Effective as FhirDateTime)?.Value);
        Assert.Equal($"QuestionnaireResponse/{stored.Id}", total.DerivedFrom.Single().Reference);
        Assert.Equal("Patient/wai-1", total.Performer.Single().Reference);
    }

    [Theory]
    [InlineData(9.0, 9.0, 9.0, 8.9, "L")]   // 35.9: possible alliance concern
    [InlineData(9.0, 9.0, 9.0, 9.0, "N")]   // 36.0
    public async Task Srs_total_below_36_is_flagged_low(double a, double b, double c, double d, string expected)
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "srs-1");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var response = InstrumentResponses.Decimals(srs, "srs-1", (decimal)a, (decimal)b, (decimal)c, (decimal)d);

        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var observations = await ObservationsOfAsync((await created.ReadAsAsync<QuestionnaireResponse>()).Id!);
        Assert.Equal(SrsCodes, Codes(observations));
        Assert.Equal((decimal)a + (decimal)b + (decimal)c + (decimal)d, Score(observations, "srs-total"));
        Assert.Equal(expected, Scored(observations, "srs-total").Interpretation.Single().Coding.Single().Code);
        Assert.Equal((decimal)d, Score(observations, "srs-item-4"));
    }

    [Fact]
    public async Task Client_sent_scores_are_replaced_by_the_server_s()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "srs-2");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var response = InstrumentResponses.Decimals(srs, "srs-2", 5m, 5m, 5m, 5m);
        response.Item.Add(InstrumentResponses.Answer("total", new FhirDecimal(40m)));

        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);

        var stored = await created.ReadAsAsync<QuestionnaireResponse>();
        Assert.Equal(20m, (stored.Item.Single(i => i.LinkId == "total").Answer.Single().Value as FhirDecimal)?.Value);
    }

    [Fact]
    public async Task Out_of_range_answer_is_422_naming_the_item_and_nothing_is_stored()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "srs-bad");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var response = InstrumentResponses.Decimals(srs, "srs-bad", 5m, 11m, 5m, 5m);

        using var rejected = await _client.PostAsync("/fhir/QuestionnaireResponse", response);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejected.StatusCode);
        var outcome = await rejected.ReadAsAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Expression.Any(e => e?.StartsWith("QuestionnaireResponse.item[1]", StringComparison.Ordinal) == true));
        var search = await (await _client.GetAsync("/fhir/QuestionnaireResponse?subject=Patient/srs-bad")).ReadAsAsync<Bundle>();
        Assert.DoesNotContain(search.Entry, e => e.Resource is QuestionnaireResponse);
        var observations = await (await _client.GetAsync("/fhir/Observation?subject=Patient/srs-bad")).ReadAsAsync<Bundle>();
        Assert.DoesNotContain(observations.Entry, e => e.Resource is Observation);
    }

    [Fact]
    public async Task Unknown_questionnaire_is_422()
    {
        var response = new QuestionnaireResponse
        {
            Questionnaire = "http://example.org/Questionnaire/nope|9",
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Subject = new ResourceReference("Patient/x"),
        };

        using var rejected = await _client.PostAsync("/fhir/QuestionnaireResponse", response);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejected.StatusCode);
    }

    [Fact]
    public async Task Updating_a_response_re_derives_its_observations_in_place()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "srs-3");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(srs, "srs-3", 9m, 9m, 9m, 9m));
        var stored = await created.ReadAsAsync<QuestionnaireResponse>();
        var before = await ObservationsOfAsync(stored.Id!);
        Assert.Equal(SrsCodes, Codes(before));

        stored.Item[3].Answer[0].Value = new FhirDecimal(2m);
        using var updated = await _client.PutAsync($"/fhir/QuestionnaireResponse/{stored.Id}", stored);

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = await ObservationsOfAsync(stored.Id!);
        Assert.Equal(SrsCodes, Codes(after));
        foreach (var code in SrsCodes)
        {
            // Each score keeps its Observation (same id, never a second resource beside the first); only the
            // scores the edit changed get a new version, the unchanged lines are not rewritten.
            Assert.Equal(Scored(before, code).Id, Scored(after, code).Id);
            var changed = code is "srs-total" or "srs-item-4";
            Assert.Equal(changed ? "2" : "1", Scored(after, code).Meta?.VersionId);
        }

        Assert.Equal(29m, Score(after, "srs-total"));
        Assert.Equal("L", Scored(after, "srs-total").Interpretation.Single().Coding.Single().Code);
        Assert.Equal(2m, Score(after, "srs-item-4"));
        Assert.Equal(9m, Score(after, "srs-item-3"));
    }

    [Fact]
    public async Task Deleting_a_response_marks_its_observations_entered_in_error()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "srs-4");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(srs, "srs-4", 9m, 9m, 9m, 9m));
        var stored = await created.ReadAsAsync<QuestionnaireResponse>();
        var observations = await ObservationsOfAsync(stored.Id!);
        Assert.Equal(SrsCodes, Codes(observations));

        using var deleted = await _client.DeleteAsync($"/fhir/QuestionnaireResponse/{stored.Id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        foreach (var observation in observations)
        {
            var after = await (await _client.GetAsync($"/fhir/Observation/{observation.Id}")).ReadAsAsync<Observation>();
            Assert.Equal(ObservationStatus.EnteredInError, after.Status);
        }
    }

    [Fact]
    public async Task Response_resolves_a_plain_url_to_the_newest_active_version()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "srs-5");
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var response = InstrumentResponses.Decimals(srs, "srs-5", 9m, 9m, 9m, 9m);
        response.Questionnaire = srs.Url;

        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", response);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var observations = await ObservationsOfAsync((await created.ReadAsAsync<QuestionnaireResponse>()).Id!);
        Assert.Equal(SrsCodes, Codes(observations));
        Assert.Equal(36m, Score(observations, "srs-total"));
    }
}
