using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Instruments;

/// <summary>
/// The questionnaire operations at the levels R4 and SDC define them, by GET where their parameters are primitive,
/// with an empty Parameters body where every parameter is optional; and $populate refuses a subject that is not here.
/// </summary>
public class OperationPlacementTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string SrsCanonical = "http://alliancefhir.org/fhir/Questionnaire/srs|1.0.0";

    private readonly HttpClient _client = app.CreateClient();

    private async Task CreatePatientAsync(string id)
    {
        using var created = await _client.PutAsync($"/fhir/Patient/{id}", new Patient { Id = id, Name = [new HumanName { Family = "Placement" }] });
        Assert.True(created.IsSuccessStatusCode, $"PUT Patient/{id}: {(int)created.StatusCode}");
    }

    private async Task<string> StoreSrsResponseAsync(string patient, params decimal[] answers)
    {
        await InstrumentResponses.StoreSubjectAsync(_client, patient);
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        using var created = await _client.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(srs, patient, answers));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadAsAsync<QuestionnaireResponse>()).Id!;
    }

    private static StringContent EmptyParameters() => FhirHttp.JsonBody("""{"resourceType":"Parameters"}""");

    [Fact]
    public async Task Validate_at_instance_level_checks_the_stored_response_by_get_and_by_an_empty_parameters_body()
    {
        var id = await StoreSrsResponseAsync("place-1", 9m, 9m, 9m, 9m);

        using var byGet = await _client.GetAsync($"/fhir/QuestionnaireResponse/{id}/$validate");
        using var byEmptyParameters = await _client.PostAsync($"/fhir/QuestionnaireResponse/{id}/$validate", EmptyParameters());
        using var unknown = await _client.GetAsync("/fhir/QuestionnaireResponse/no-such-response/$validate");

        foreach (var result in new[] { byGet, byEmptyParameters })
        {
            Assert.Equal(HttpStatusCode.OK, result.StatusCode);
            Assert.DoesNotContain((await result.ReadAsAsync<OperationOutcome>()).Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
        }

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Validate_at_instance_level_checks_a_proposed_version_and_refuses_another_id()
    {
        var id = await StoreSrsResponseAsync("place-2", 9m, 9m, 9m, 9m);
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var proposed = InstrumentResponses.Decimals(srs, "place-2", 5m, 5m, 12m, 5m);
        proposed.Id = id;
        var other = InstrumentResponses.Decimals(srs, "place-2", 5m, 5m, 5m, 5m);
        other.Id = "someone-else";

        using var invalid = await _client.PostAsync($"/fhir/QuestionnaireResponse/{id}/$validate", proposed);
        using var mismatched = await _client.PostAsync($"/fhir/QuestionnaireResponse/{id}/$validate", other);

        Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
        Assert.Contains((await invalid.ReadAsAsync<OperationOutcome>()).Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
        Assert.Equal(HttpStatusCode.BadRequest, mismatched.StatusCode);
    }

    [Fact]
    public async Task Extract_at_instance_level_answers_get_and_an_empty_parameters_body_and_refuses_a_response_part()
    {
        var id = await StoreSrsResponseAsync("place-3", 9m, 9m, 9m, 9m);
        var parameters = new Parameters();
        parameters.Add("questionnaire-response", new QuestionnaireResponse { Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed });

        using var byGet = await _client.GetAsync($"/fhir/QuestionnaireResponse/{id}/$extract");
        using var byEmptyParameters = await _client.PostAsync($"/fhir/QuestionnaireResponse/{id}/$extract", EmptyParameters());
        using var withPart = await _client.PostAsync($"/fhir/QuestionnaireResponse/{id}/$extract", parameters);

        foreach (var result in new[] { byGet, byEmptyParameters })
        {
            Assert.True(result.StatusCode == HttpStatusCode.OK, await result.Content.ReadAsStringAsync());
            var entries = (await result.ReadAsAsync<Bundle>()).Entry;
            Assert.NotEmpty(entries);
            Assert.All(entries, e => Assert.Equal($"QuestionnaireResponse/{id}", Assert.IsType<Observation>(e.Resource).DerivedFrom.Single().Reference));
        }

        Assert.Equal(HttpStatusCode.BadRequest, withPart.StatusCode);
    }

    [Fact]
    public async Task Populate_at_type_level_takes_the_questionnaire_as_a_parameter_by_get_and_post()
    {
        await CreatePatientAsync("place-4");
        var byCanonical = new Parameters();
        byCanonical.Add("canonical", new FhirUri(SrsCanonical));
        byCanonical.Add("subject", new ResourceReference("Patient/place-4"));
        var inline = new Parameters();
        inline.Add("questionnaire", await InstrumentResponses.FetchAsync(_client, "wai-sr"));
        inline.Add("subject", new ResourceReference("Patient/place-4"));

        using var byGet = await _client.GetAsync($"/fhir/Questionnaire/$populate?canonical={Uri.EscapeDataString(SrsCanonical)}&subject=Patient/place-4");
        using var byPost = await _client.PostAsync("/fhir/Questionnaire/$populate", byCanonical);
        using var byInline = await _client.PostAsync("/fhir/Questionnaire/$populate", inline);

        foreach (var (result, expected) in new[] { (byGet, SrsCanonical), (byPost, SrsCanonical), (byInline, "http://alliancefhir.org/fhir/Questionnaire/wai-sr|1.0.0") })
        {
            Assert.Equal(HttpStatusCode.OK, result.StatusCode);
            var response = Assert.IsType<QuestionnaireResponse>((await result.ReadAsAsync<Parameters>()).Parameter.Single(p => p.Name == "response").Resource);
            Assert.Equal(expected, response.Questionnaire);
            Assert.Equal("Patient/place-4", response.Subject?.Reference);
        }
    }

    [Fact]
    public async Task Populate_at_type_level_needs_exactly_one_known_questionnaire()
    {
        await CreatePatientAsync("place-5");

        using var none = await _client.GetAsync("/fhir/Questionnaire/$populate?subject=Patient/place-5");
        using var unknown = await _client.GetAsync("/fhir/Questionnaire/$populate?canonical=http://example.org/Questionnaire/none&subject=Patient/place-5");
        using var complexByGet = await _client.GetAsync("/fhir/Questionnaire/srs/$populate?subject=Patient/place-5&encounter=Encounter/1");

        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, complexByGet.StatusCode);
    }

    [Fact]
    public async Task Populate_for_a_subject_that_does_not_exist_is_422_with_a_not_found_issue()
    {
        var parameters = new Parameters();
        parameters.Add("subject", new ResourceReference("Patient/nobody-here"));

        using var byGet = await _client.GetAsync("/fhir/Questionnaire/srs/$populate?subject=Patient/nobody-here");
        using var byPost = await _client.PostAsync("/fhir/Questionnaire/srs/$populate", parameters);
        using var byType = await _client.GetAsync($"/fhir/Questionnaire/$populate?canonical={Uri.EscapeDataString(SrsCanonical)}&subject=Patient/nobody-here");
        using var notLocal = await _client.GetAsync("/fhir/Questionnaire/srs/$populate?subject=http://elsewhere.example.org/fhir/Patient/1");

        foreach (var result in new[] { byGet, byPost, byType, notLocal })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, result.StatusCode);
            Assert.Contains((await result.ReadAsAsync<OperationOutcome>()).Issue, i => i.Expression.Contains("subject"));
        }

        Assert.Equal(OperationOutcome.IssueType.NotFound, (await byGet.ReadAsAsync<OperationOutcome>()).Issue.Single().Code);
    }
}
