using System.Net;
using System.Security.Cryptography;
using System.Text;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.App;

/// <summary>
/// <c>Questionnaire/{id}/$create-link</c> and the patient form's submissions over HTTP: one link, one response, for the
/// link's patient only, through the normal pipeline; used, expired and unknown links refused with a page a person reads.
/// </summary>
public sealed class FormLinkTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Create_link_answers_a_fill_url_and_stores_only_the_hash_of_its_token()
    {
        const string patient = "link-hash";
        await InstrumentResponses.StoreSubjectAsync(_client, patient);

        var path = await FormLinkRequests.CreateAsync(_client, "srs", patient, InstrumentResponses.EncounterId);

        Assert.StartsWith("/app/fill/", path, StringComparison.Ordinal);
        var token = path["/app/fill/".Length..];
        var row = Assert.Single(FormLinkRequests.Rows(app), r => (string?)r["PatientId"] == patient);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), row["TokenHash"]);
        Assert.DoesNotContain(row.Values, v => v is string s && s.Contains(token, StringComparison.Ordinal));
        Assert.Equal("http://alliancefhir.org/fhir/Questionnaire/srs|1.0.0", row["Questionnaire"]);
        Assert.Equal(InstrumentResponses.EncounterId, row["EncounterId"]);
    }

    [Theory]
    [InlineData("no-such-patient", null, null)]
    [InlineData("link-refused", "no-such-encounter", null)]
    [InlineData("link-refused", null, "2020-01-01T00:00:00Z")]
    [InlineData("link-refused", null, "2099-01-01T00:00:00Z")]
    public async Task Create_link_for_what_is_not_there_or_out_of_range_is_422_and_records_no_link(string patient, string? encounter, string? expires)
    {
        await Patients.StoreAsync(_client, "link-refused");

        using var response = await _client.PostAsync("/fhir/Questionnaire/srs/$create-link", FormLinkRequests.LinkParameters(patient, encounter, expires));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueSeverity.Error, outcome.Issue[0].Severity);
        Assert.DoesNotContain(FormLinkRequests.Rows(app), r => (string?)r["PatientId"] == patient);
    }

    [Fact]
    public async Task Create_link_with_an_encounter_of_another_patient_is_422()
    {
        await InstrumentResponses.StoreSubjectAsync(_client, "link-owner");
        using var encounter = await _client.PutAsync("/fhir/Encounter/owned", new Encounter
        {
            Id = "owned",
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
            Subject = new ResourceReference("Patient/link-owner"),
        });
        await Patients.StoreAsync(_client, "link-other");

        using var response = await _client.PostAsync("/fhir/Questionnaire/srs/$create-link", FormLinkRequests.LinkParameters("link-other", "owned"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.DoesNotContain(FormLinkRequests.Rows(app), r => (string?)r["PatientId"] == "link-other");
    }

    [SkippableFact]
    public async Task Fill_page_renders_the_questionnaire_for_the_form_script()
    {
        LFormsAssets.SkipUnlessInstalled();
        await InstrumentResponses.StoreSubjectAsync(_client, "fill-page");
        var path = await FormLinkRequests.CreateAsync(_client, "srs", "fill-page");

        using var page = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"application/json\" id=\"questionnaire-json\">{\"resourceType\":\"Questionnaire\"", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/app/assets/fill.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/app/fill/not-a-token")]
    [InlineData("/app/fill/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task An_unknown_link_is_a_404_page_in_words(string path)
    {
        using var page = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("ask your clinic for a new one", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_stores_one_scored_response_for_the_link_patient_whatever_the_browser_claims()
    {
        const string patient = "fill-submit";
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        await Patients.StoreAsync(_client, "fill-someone-else");
        var path = await FormLinkRequests.CreateAsync(_client, "srs", patient, InstrumentResponses.EncounterId);
        var answers = InstrumentResponses.Decimals(await InstrumentResponses.FetchAsync(_client, "srs"), "fill-someone-else", 9, 8, 7, 6);
        answers.Questionnaire = "http://alliancefhir.org/fhir/Questionnaire/trc-5|1.0.0";
        answers.Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress;

        var (status, message) = await FormLinkRequests.SubmitAsync(_client, path, answers);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Contains("Thank you", message, StringComparison.Ordinal);
        var stored = await (await _client.GetAsync($"/fhir/QuestionnaireResponse?subject=Patient/{patient}")).ReadAsAsync<Bundle>();
        var response = Assert.IsType<QuestionnaireResponse>(Assert.Single(stored.Entry).Resource);
        Assert.Equal("http://alliancefhir.org/fhir/Questionnaire/srs|1.0.0", response.Questionnaire);
        Assert.Equal(QuestionnaireResponse.QuestionnaireResponseStatus.Completed, response.Status);
        Assert.Equal($"Encounter/{InstrumentResponses.EncounterId}", response.Encounter?.Reference);
        Assert.Equal($"Patient/{patient}", response.Source?.Reference);
        Assert.Equal(0, await FormLinkRequests.CountAsync(_client, "QuestionnaireResponse?subject=Patient/fill-someone-else"));

        var total = await (await _client.GetAsync($"/fhir/Observation?subject=Patient/{patient}&code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|srs-total")).ReadAsAsync<Bundle>();
        Assert.Equal(30m, Assert.IsType<Quantity>(Assert.IsType<Observation>(Assert.Single(total.Entry).Resource).Value).Value);
        Assert.Equal(response.Id, (string?)Assert.Single(FormLinkRequests.Rows(app), r => (string?)r["PatientId"] == patient)["ResponseId"]);
    }

    [Fact]
    public async Task A_used_link_is_410_for_the_page_and_for_a_second_submission_which_stores_nothing()
    {
        const string patient = "fill-twice";
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var path = await FormLinkRequests.CreateAsync(_client, "srs", patient);
        var answers = InstrumentResponses.Decimals(await InstrumentResponses.FetchAsync(_client, "srs"), patient, 9, 9, 9, 9);
        Assert.Equal(HttpStatusCode.Created, (await FormLinkRequests.SubmitAsync(_client, path, answers)).Status);

        var (again, message) = await FormLinkRequests.SubmitAsync(_client, path, answers);
        using var page = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Gone, again);
        Assert.Contains("already been sent", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains("already been sent", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await FormLinkRequests.CountAsync(_client, $"QuestionnaireResponse?subject=Patient/{patient}"));
    }

    [Fact]
    public async Task Submissions_racing_through_one_link_store_exactly_one_response()
    {
        const string patient = "fill-race";
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var path = await FormLinkRequests.CreateAsync(_client, "srs", patient);
        var answers = InstrumentResponses.Decimals(await InstrumentResponses.FetchAsync(_client, "srs"), patient, 5, 5, 5, 5);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => FormLinkRequests.SubmitAsync(app.CreateClient(), path, answers)));

        Assert.Single(results, r => r.Status == HttpStatusCode.Created);
        Assert.All(results.Where(r => r.Status != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Gone, r.Status));
        Assert.Equal(1, await FormLinkRequests.CountAsync(_client, $"QuestionnaireResponse?subject=Patient/{patient}"));
    }

    [Fact]
    public async Task A_refused_submission_stores_nothing_and_leaves_the_link_open_for_corrected_answers()
    {
        const string patient = "fill-correct";
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var path = await FormLinkRequests.CreateAsync(_client, "srs", patient);
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");

        var (status, message) = await FormLinkRequests.SubmitAsync(_client, path, InstrumentResponses.Decimals(srs, patient, 11, 5, 5, 5));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("another look", message, StringComparison.Ordinal);
        Assert.Equal(0, await FormLinkRequests.CountAsync(_client, $"QuestionnaireResponse?subject=Patient/{patient}"));
        Assert.Equal(0, await FormLinkRequests.CountAsync(_client, $"Observation?subject=Patient/{patient}"));
        Assert.Equal(HttpStatusCode.Created, (await FormLinkRequests.SubmitAsync(_client, path, InstrumentResponses.Decimals(srs, patient, 10, 5, 5, 5))).Status);
    }

    [Fact]
    public async Task An_expired_link_is_410_for_the_page_and_the_submission()
    {
        const string patient = "fill-expired";
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var expires = DateTimeOffset.UtcNow.AddSeconds(2);
        var path = await FormLinkRequests.CreateAsync(_client, "srs", patient, expires: expires.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture));
        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));

        using var page = await _client.GetAsync(path);
        var (status, message) = await FormLinkRequests.SubmitAsync(_client, path, InstrumentResponses.Decimals(await InstrumentResponses.FetchAsync(_client, "srs"), patient, 5, 5, 5, 5));

        Assert.Equal(HttpStatusCode.Gone, page.StatusCode);
        Assert.Contains("expired", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.Contains("expired", message, StringComparison.Ordinal);
        Assert.Equal(0, await FormLinkRequests.CountAsync(_client, $"QuestionnaireResponse?subject=Patient/{patient}"));
    }
}
