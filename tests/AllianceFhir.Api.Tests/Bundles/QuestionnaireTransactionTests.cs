using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Bundles;

/// <summary>
/// The instruments hook inside transactions: a response is checked against a Questionnaire that the same transaction
/// creates (visible to the hook before the commit), and a response that does not fit fails the whole transaction.
/// </summary>
public class QuestionnaireTransactionTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private static Questionnaire CheckIn() => new()
    {
        Url = $"http://clinic.example.org/fhir/Questionnaire/check-in-{Guid.NewGuid():N}",
        Version = "1.0.0",
        Status = PublicationStatus.Active,
        Item = [new Questionnaire.ItemComponent { LinkId = "1", Text = "How was today's session?", Type = Questionnaire.QuestionnaireItemType.String, Required = true }],
    };

    private static QuestionnaireResponse Answer(Questionnaire questionnaire, string subject, string linkId) => new()
    {
        Questionnaire = $"{questionnaire.Url}|{questionnaire.Version}",
        Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
        Subject = new ResourceReference(subject),
        Authored = "2026-03-02T10:00:00Z",
        Item = [new QuestionnaireResponse.ItemComponent { LinkId = linkId, Answer = [new() { Value = new FhirString("Helpful") }] }],
    };

    [Fact]
    public async Task A_response_is_validated_against_a_questionnaire_created_in_the_same_transaction()
    {
        var questionnaire = CheckIn();
        var patientUrn = BundleBuilder.NewUrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Answer(questionnaire, patientUrn, "1"))
            .Post(Patients.WithMrn(Clinical.NewMrn()), patientUrn)
            .Post(questionnaire)
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadAsAsync<Bundle>();
        var stored = Assert.IsType<QuestionnaireResponse>(result.Entry[0].Resource);
        Assert.Equal($"Patient/{BundleHttp.IdFromLocation(result.Entry[1].Response!.Location)}", stored.Subject!.Reference);
    }

    [Fact]
    public async Task A_response_that_does_not_fit_its_questionnaire_fails_the_transaction_with_422()
    {
        var questionnaire = CheckIn();
        var mrn = Clinical.NewMrn();
        var patientUrn = BundleBuilder.NewUrn();
        var bundle = BundleBuilder.Transaction()
            .Post(Patients.WithMrn(mrn), patientUrn)
            .Post(questionnaire)
            .Post(Answer(questionnaire, patientUrn, "no-such-item"), "urn:uuid:6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d")
            .Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.All(outcome.Issue, i => Assert.StartsWith("Bundle.entry[2] (fullUrl urn:uuid:6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d)", i.Diagnostics, StringComparison.Ordinal));
        Assert.Empty((await _client.SearchAsync($"/fhir/Patient?identifier={Clinical.MrnSystem}|{mrn}")).Entry);
        Assert.Empty((await _client.SearchAsync($"/fhir/Questionnaire?url={Uri.EscapeDataString(questionnaire.Url!)}")).Entry);
    }
}
