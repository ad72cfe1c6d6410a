using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

public class ConditionalTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string Mrn = "http://clinic.example.org/mrn";
    private readonly HttpClient _client = app.CreateClient();

    private async Task<HttpResponseMessage> CreateIfNoneExistAsync(Patient patient, string condition)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(patient) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", condition);
        return await _client.SendAsync(request);
    }

    [Fact]
    public async Task If_none_exist_creates_once_then_returns_the_existing_resource()
    {
        using var first = await CreateIfNoneExistAsync(Patients.WithMrn("cc-1"), $"identifier={Mrn}|cc-1");
        using var second = await CreateIfNoneExistAsync(Patients.WithMrn("cc-1"), $"identifier={Mrn}|cc-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal((await first.ReadAsAsync<Patient>()).Id, (await second.ReadAsAsync<Patient>()).Id);
        var history = await (await _client.GetAsync("/fhir/Patient/_history?_count=100")).ReadAsAsync<Bundle>();
        Assert.Single(history.Entry, e => (e.Resource as Patient)?.Identifier.Any(i => i.Value == "cc-1") == true);
    }

    [Fact]
    public async Task If_none_exist_with_several_matches_is_412()
    {
        await _client.PostAsync("/fhir/Patient", Patients.WithMrn("cc-2"));
        await _client.PostAsync("/fhir/Patient", Patients.WithMrn("cc-2"));

        using var response = await CreateIfNoneExistAsync(Patients.WithMrn("cc-2"), $"identifier={Mrn}|cc-2");

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task Conditional_update_creates_then_updates_the_single_match()
    {
        var patient = Patients.WithMrn("cc-3", "Before");

        using var created = await _client.PutAsync($"/fhir/Patient?identifier={Mrn}|cc-3", patient);
        patient.Name[0].Family = "After";
        using var updated = await _client.PutAsync($"/fhir/Patient?identifier={Mrn}|cc-3", patient);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var id = (await created.ReadAsAsync<Patient>()).Id;
        var current = await (await _client.GetAsync($"/fhir/Patient/{id}")).ReadAsAsync<Patient>();
        Assert.Equal("After", current.Name[0].Family);
        Assert.Equal("2", current.Meta?.VersionId);
    }

    [Fact]
    public async Task Conditional_update_by_id_parameter_updates_that_resource()
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn("cc-4"));
        var patient = await created.ReadAsAsync<Patient>();
        patient.Active = true;

        using var updated = await _client.PutAsync($"/fhir/Patient?_id={patient.Id}", patient);

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("W/\"2\"", updated.ETag());
    }

    [Fact]
    public async Task Conditional_update_with_several_matches_is_412()
    {
        await _client.PostAsync("/fhir/Patient", Patients.WithMrn("cc-5"));
        await _client.PostAsync("/fhir/Patient", Patients.WithMrn("cc-5"));

        using var response = await _client.PutAsync($"/fhir/Patient?identifier={Mrn}|cc-5", Patients.WithMrn("cc-5"));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }
}
