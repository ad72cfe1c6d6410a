using System.Net;
using System.Text;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Http;

/// <summary>
/// A request the server cannot answer in an acceptable format is refused before anything is written: a client that
/// got 406 after a commit would retry and store the resource twice.
/// </summary>
public class FhirNegotiationTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    public static TheoryData<string> Refusals => ["accept", "format"];

    /// <summary>An unsupported Accept header, or an unsupported _format (which overrides a good Accept).</summary>
    private static HttpRequestMessage Refused(string how, HttpMethod method, string url, HttpContent? content = null)
    {
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var request = new HttpRequestMessage(method, how == "format" ? $"{url}{separator}_format=bogus" : url) { Content = content };
        request.Headers.TryAddWithoutValidation("Accept", how == "format" ? FhirHttp.Json : "text/html");
        return request;
    }

    private static async Task AssertNotAcceptableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Code == OperationOutcome.IssueType.NotSupported);
    }

    private async Task<int> CountAsync(string search)
    {
        using var response = await _client.GetAsync(search);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadAsAsync<Bundle>()).Entry.Count;
    }

    private async Task<Patient> CreatePatientAsync(string mrn)
    {
        using var response = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsAsync<Patient>();
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Create_is_406_and_stores_nothing(string how)
    {
        var mrn = $"n-create-{how}";
        using var request = Refused(how, HttpMethod.Post, "/fhir/Patient", FhirHttp.JsonBody(Patients.WithMrn(mrn)));

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
        Assert.Equal(0, await CountAsync($"/fhir/Patient?identifier={mrn}"));
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Conditional_create_is_406_and_stores_nothing(string how)
    {
        var mrn = $"n-ifnone-{how}";
        using var request = Refused(how, HttpMethod.Post, "/fhir/Patient", FhirHttp.JsonBody(Patients.WithMrn(mrn)));
        request.Headers.TryAddWithoutValidation("If-None-Exist", $"identifier={mrn}");

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
        Assert.Equal(0, await CountAsync($"/fhir/Patient?identifier={mrn}"));
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Update_is_406_and_leaves_the_current_version(string how)
    {
        var patient = await CreatePatientAsync($"n-update-{how}");
        patient.Name[0].Family = "Changed";
        using var request = Refused(how, HttpMethod.Put, $"/fhir/Patient/{patient.Id}", FhirHttp.JsonBody(patient));

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
        var current = await (await _client.GetAsync($"/fhir/Patient/{patient.Id}")).ReadAsAsync<Patient>();
        Assert.Equal("1", current.Meta?.VersionId);
        Assert.Equal("Example", current.Name[0].Family);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Update_as_create_is_406_and_creates_nothing(string how)
    {
        var id = $"n-upsert-{how}";
        using var request = Refused(how, HttpMethod.Put, $"/fhir/Patient/{id}", FhirHttp.JsonBody(new Patient { Id = id }));

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
        using var read = await _client.GetAsync($"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Conditional_update_is_406_and_stores_nothing(string how)
    {
        var mrn = $"n-condput-{how}";
        using var request = Refused(how, HttpMethod.Put, $"/fhir/Patient?identifier={mrn}", FhirHttp.JsonBody(Patients.WithMrn(mrn)));

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
        Assert.Equal(0, await CountAsync($"/fhir/Patient?identifier={mrn}"));
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Delete_is_406_and_deletes_nothing(string how)
    {
        var patient = await CreatePatientAsync($"n-delete-{how}");
        using var request = Refused(how, HttpMethod.Delete, $"/fhir/Patient/{patient.Id}");

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Theory]
    [InlineData("accept", "transaction")]
    [InlineData("format", "transaction")]
    [InlineData("accept", "batch")]
    [InlineData("format", "batch")]
    public async Task Transaction_and_batch_are_406_and_store_nothing(string how, string kind)
    {
        var mrn = $"n-{kind}-{how}";
        var builder = kind == "transaction" ? BundleBuilder.Transaction() : BundleBuilder.Batch();
        var bundle = builder.Post(Patients.WithMrn(mrn), BundleBuilder.NewUrn()).Bundle;
        using var request = Refused(how, HttpMethod.Post, "/fhir", FhirHttp.JsonBody(bundle));

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
        Assert.Equal(0, await CountAsync($"/fhir/Patient?identifier={mrn}"));
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Questionnaire_response_submit_is_406_and_stores_neither_response_nor_scores(string how)
    {
        var patient = $"n-qr-{how}";
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var answers = InstrumentResponses.Decimals(srs, patient, 9m, 9m, 9m, 9m);
        using var request = Refused(how, HttpMethod.Post, "/fhir/QuestionnaireResponse", FhirHttp.JsonBody(answers));

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
        Assert.Equal(0, await CountAsync($"/fhir/QuestionnaireResponse?subject=Patient/{patient}"));
        Assert.Equal(0, await CountAsync($"/fhir/Observation?subject=Patient/{patient}"));
    }

    [Theory]
    [InlineData("accept", "/fhir/QuestionnaireResponse/$validate")]
    [InlineData("format", "/fhir/QuestionnaireResponse/$validate")]
    [InlineData("accept", "/fhir/QuestionnaireResponse/$extract")]
    [InlineData("format", "/fhir/QuestionnaireResponse/$extract")]
    public async Task Questionnaire_operations_are_406_before_any_work(string how, string url)
    {
        var srs = await InstrumentResponses.FetchAsync(_client, "srs");
        var answers = InstrumentResponses.Decimals(srs, "n-op", 9m, 9m, 9m, 9m);
        using var request = Refused(how, HttpMethod.Post, url, FhirHttp.JsonBody(answers));

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Populate_is_406(string how)
    {
        var parameters = new Parameters();
        parameters.Add("subject", new ResourceReference("Patient/n-pop"));
        using var request = Refused(how, HttpMethod.Post, "/fhir/Questionnaire/srs/$populate", FhirHttp.JsonBody(parameters));

        using var response = await _client.SendAsync(request);

        await AssertNotAcceptableAsync(response);
    }

    [Theory]
    [InlineData("PUT", "/fhir/Patient/n-415-put")]
    [InlineData("PUT", "/fhir/Patient?identifier=n-415-condput")]
    [InlineData("POST", "/fhir")]
    [InlineData("POST", "/fhir/QuestionnaireResponse/$validate")]
    public async Task Unsupported_content_type_is_415_on_every_route_with_a_body(string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = new StringContent("""{"resourceType":"Patient","id":"n-415-put","identifier":[{"value":"n-415-condput"}]}""", Encoding.UTF8, "text/plain"),
        };

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await response.ReadAsAsync<OperationOutcome>();
        using var read = await _client.GetAsync("/fhir/Patient/n-415-put");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(0, await CountAsync("/fhir/Patient?identifier=n-415-condput"));
    }

    [Fact]
    public async Task An_acceptable_format_among_others_still_writes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn("n-ok")) };
        request.Headers.TryAddWithoutValidation("Accept", "text/html, application/fhir+xml;q=0.9");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(FhirHttp.Xml, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, await CountAsync("/fhir/Patient?identifier=n-ok"));
    }
}
