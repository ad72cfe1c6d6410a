using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

public class UpdateAndDeleteTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task<Patient> CreateAsync(string mrn)
    {
        using var response = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));
        return await response.ReadAsAsync<Patient>();
    }

    [Fact]
    public async Task Update_with_a_new_client_id_creates_it_with_201()
    {
        var patient = Patients.WithMrn("u-1");
        patient.Id = "chosen-by-client";

        using var response = await _client.PutAsync("/fhir/Patient/chosen-by-client", patient);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("W/\"1\"", response.ETag());
        Assert.Equal("http://localhost/fhir/Patient/chosen-by-client/_history/1", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Stale_if_match_returns_412_and_changes_nothing()
    {
        var patient = await CreateAsync("u-2");
        using var first = await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient, ifMatch: "W/\"1\"");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        patient.Name[0].Family = "Stale";
        using var stale = await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient, ifMatch: "W/\"1\"");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        await stale.ReadAsAsync<OperationOutcome>();
        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal("W/\"2\"", read.ETag());
        Assert.NotEqual("Stale", (await read.ReadAsAsync<Patient>()).Name[0].Family);
    }

    [Fact]
    public async Task Body_id_that_differs_from_the_url_is_400()
    {
        var patient = await CreateAsync("u-3");
        var other = patient.Id;
        patient.Id = "something-else";

        using var response = await _client.PutAsync($"/fhir/Patient/{other}", patient);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains("Patient.id", outcome.Issue[0].Expression);
    }

    [Fact]
    public async Task Update_without_a_body_id_is_400()
    {
        using var response = await _client.PutAsync("/fhir/Patient/abc", Patients.WithMrn("u-4"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Body_of_another_type_is_400()
    {
        var observation = new Observation { Id = "x", Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "1-8") };

        using var put = await _client.PutAsync("/fhir/Patient/x", observation);
        using var post = await _client.PostAsync("/fhir/Patient", observation);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
    }

    [Fact]
    public async Task Delete_makes_reads_410_keeps_history_and_can_be_repeated()
    {
        var patient = await CreateAsync("u-5");

        using var delete = await _client.DeleteAsync($"/fhir/Patient/{patient.Id}");
        using var again = await _client.DeleteAsync($"/fhir/Patient/{patient.Id}");
        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        using var v1 = await _client.GetAsync($"/fhir/Patient/{patient.Id}/_history/1");
        using var v2 = await _client.GetAsync($"/fhir/Patient/{patient.Id}/_history/2");
        using var history = await _client.GetAsync($"/fhir/Patient/{patient.Id}/_history");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, v2.StatusCode);
        var bundle = await history.ReadAsAsync<Bundle>();
        Assert.Equal(Bundle.BundleType.History, bundle.Type);
        Assert.Equal(2, bundle.Entry.Count);
        Assert.Null(bundle.Entry[0].Resource);
        Assert.Equal(Bundle.HTTPVerb.DELETE, bundle.Entry[0].Request?.Method);
        Assert.Equal(Bundle.HTTPVerb.POST, bundle.Entry[1].Request?.Method);
    }

    [Fact]
    public async Task Delete_with_stale_if_match_is_412()
    {
        var patient = await CreateAsync("u-6");
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/fhir/Patient/{patient.Id}");
        request.Headers.TryAddWithoutValidation("If-Match", "W/\"5\"");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Update_after_delete_recreates_the_resource_as_a_new_version()
    {
        var patient = await CreateAsync("u-7");
        using var delete = await _client.DeleteAsync($"/fhir/Patient/{patient.Id}");

        using var put = await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("W/\"3\"", put.ETag());
    }
}
