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

    /// <summary>R4 http.html, conditional delete: no match or one match is an ordinary delete; several are a 412 (single).</summary>
    [Fact]
    public async Task Conditional_delete_deletes_the_one_match_nothing_for_none_and_refuses_several()
    {
        var mrn = $"cd-{Guid.NewGuid():N}";
        var id = (await (await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn))).ReadAsAsync<Patient>()).Id;

        using var one = await _client.DeleteAsync($"/fhir/Patient?identifier={Mrn}|{mrn}");
        Assert.Equal(HttpStatusCode.NoContent, one.StatusCode);
        Assert.Equal("W/\"2\"", one.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.Gone, (await _client.GetAsync($"/fhir/Patient/{id}")).StatusCode);

        using var none = await _client.DeleteAsync($"/fhir/Patient?identifier={Mrn}|{mrn}-nobody");
        Assert.Equal(HttpStatusCode.NoContent, none.StatusCode);

        var twice = $"cd-{Guid.NewGuid():N}";
        await _client.PostAsync("/fhir/Patient", Patients.WithMrn(twice));
        await _client.PostAsync("/fhir/Patient", Patients.WithMrn(twice));
        using var several = await _client.DeleteAsync($"/fhir/Patient?identifier={Mrn}|{twice}");
        Assert.Equal(HttpStatusCode.PreconditionFailed, several.StatusCode);
        await several.ReadAsAsync<OperationOutcome>();
        Assert.Equal(2, (await (await _client.GetAsync($"/fhir/Patient?identifier={Mrn}|{twice}")).ReadAsAsync<Bundle>()).Entry.Count);

        using var unconditional = await _client.DeleteAsync("/fhir/Patient");
        Assert.Equal(HttpStatusCode.BadRequest, unconditional.StatusCode);
    }

    [Fact]
    public async Task The_capability_statement_says_conditional_delete_is_single()
    {
        var metadata = await (await _client.GetAsync("/fhir/metadata")).ReadAsAsync<CapabilityStatement>();

        // Types that cannot be deleted at all (AuditEvent) cannot be deleted conditionally either.
        Assert.All(metadata.Rest[0].Resource, r => Assert.Equal(
            r.Interaction.Any(i => i.Code == CapabilityStatement.TypeRestfulInteraction.Delete)
                ? CapabilityStatement.ConditionalDeleteStatus.Single
                : CapabilityStatement.ConditionalDeleteStatus.NotSupported,
            r.ConditionalDelete));
        Assert.Equal(CapabilityStatement.ConditionalDeleteStatus.Single, metadata.Rest[0].Resource.Single(r => r.Type == "Patient").ConditionalDelete);
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

    [Fact]
    public async Task If_none_exist_creates_again_once_the_resource_it_created_is_deleted()
    {
        using var first = await CreateIfNoneExistAsync(Patients.WithMrn("cc-6"), $"identifier={Mrn}|cc-6");
        var firstId = (await first.ReadAsAsync<Patient>()).Id;
        using var deleted = await _client.DeleteAsync($"/fhir/Patient/{firstId}");

        using var again = await CreateIfNoneExistAsync(Patients.WithMrn("cc-6"), $"identifier={Mrn}|cc-6");
        using var repeat = await CreateIfNoneExistAsync(Patients.WithMrn("cc-6"), $"identifier={Mrn}|cc-6");

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var againId = (await again.ReadAsAsync<Patient>()).Id;
        Assert.NotEqual(firstId, againId);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(againId, (await repeat.ReadAsAsync<Patient>()).Id);
    }

    [Fact]
    public async Task If_none_exist_creates_again_once_the_resource_it_created_no_longer_matches()
    {
        using var first = await CreateIfNoneExistAsync(Patients.WithMrn("cc-7"), $"identifier={Mrn}|cc-7");
        var patient = await first.ReadAsAsync<Patient>();
        patient.Identifier[0].Value = "cc-7-corrected";
        using var updated = await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        using var again = await CreateIfNoneExistAsync(Patients.WithMrn("cc-7"), $"identifier={Mrn}|cc-7");

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.NotEqual(patient.Id, (await again.ReadAsAsync<Patient>()).Id);
        using var corrected = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
    }

    [Fact]
    public async Task If_none_exist_with_a_body_outside_its_condition_creates_each_time_nothing_matches()
    {
        // R4 asks only that the condition match nothing; the body need not match it, so nothing ever will.
        using var first = await CreateIfNoneExistAsync(Patients.WithMrn("cc-8-body"), $"identifier={Mrn}|cc-8");
        using var second = await CreateIfNoneExistAsync(Patients.WithMrn("cc-8-body"), $"identifier={Mrn}|cc-8");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.NotEqual((await first.ReadAsAsync<Patient>()).Id, (await second.ReadAsAsync<Patient>()).Id);
    }

    [Fact]
    public async Task Conditional_update_creates_again_once_the_resource_it_created_is_deleted()
    {
        using var created = await _client.PutAsync($"/fhir/Patient?identifier={Mrn}|cc-9", Patients.WithMrn("cc-9"));
        var firstId = (await created.ReadAsAsync<Patient>()).Id;
        using var deleted = await _client.DeleteAsync($"/fhir/Patient/{firstId}");

        using var again = await _client.PutAsync($"/fhir/Patient?identifier={Mrn}|cc-9", Patients.WithMrn("cc-9"));

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.NotEqual(firstId, (await again.ReadAsAsync<Patient>()).Id);
    }

    [Fact]
    public async Task If_none_exist_with_only_result_parameters_is_400_and_creates_nothing()
    {
        await _client.PostAsync("/fhir/Patient", Patients.WithMrn("cc-10"));

        using var response = await CreateIfNoneExistAsync(Patients.WithMrn("cc-10-new"), "_count=1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no search parameters", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        var stored = await (await _client.GetAsync($"/fhir/Patient?identifier={Mrn}|cc-10-new")).ReadAsAsync<Bundle>();
        Assert.Empty(stored.Entry);
    }
}
