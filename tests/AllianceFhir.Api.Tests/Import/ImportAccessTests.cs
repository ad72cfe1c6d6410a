using System.Net;
using System.Net.Http.Headers;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Security;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Import;

/// <summary>$import with real tokens: write scopes per imported type, no patient scopes, jobs visible to their requester only.</summary>
public sealed class ImportAccessTests : IDisposable
{
    private readonly IdentityProvider _idp = new();
    private readonly FhirApplication _app;

    public ImportAccessTests()
    {
        _app = _idp.Protect(new FhirApplication()).With("Import:PollMilliseconds", "100");
    }

    public void Dispose()
    {
        _app.Dispose();
        _idp.Dispose();
    }

    private HttpClient Client(string scopes, Dictionary<string, object>? claims = null)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _idp.Token(scopes, claims: claims));
        return client;
    }

    private static string OnePatient(string id) => ImportClient.Ndjson(Patients.WithId(id));

    [Fact]
    public async Task Without_a_token_the_import_is_401()
    {
        using var client = _app.CreateClient();
        using var response = await ImportClient.UploadAsync(client, OnePatient("anon"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("patient/*.*")]
    [InlineData("patient/Patient.cu")]
    [InlineData("user/Patient.rs")]
    [InlineData("user/Patient.c")]
    [InlineData("user/Observation.cu?category=survey")]
    public async Task Scopes_without_system_or_user_write_are_refused_before_a_job_is_recorded(string scopes)
    {
        using var client = Client(scopes, new() { ["patient"] = "scoped-1" });
        using var response = await ImportClient.UploadAsync(client, OnePatient("scoped-1"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        Assert.Null(response.Content.Headers.ContentLocation);
        using var admin = Client("system/*.*");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/fhir/Patient/scoped-1")).StatusCode);
    }

    [Fact]
    public async Task A_declared_type_the_caller_may_not_write_is_refused_up_front()
    {
        using var client = Client("user/Patient.cu");
        using var response = await ImportClient.UploadAsync(client, OnePatient("declared-1"), "Observation");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Observation", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_of_types_the_caller_may_not_write_are_refused_and_the_rest_imported()
    {
        using var client = Client("user/Patient.cu user/Patient.rs");
        var encounter = new Encounter { Status = Encounter.EncounterStatus.Finished, Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB") };
        using var start = await ImportClient.UploadAsync(client, ImportClient.Ndjson(Patients.WithId("typed-1"), encounter));
        var manifest = await ImportClient.ManifestAsync(client, ImportClient.Accepted(start));

        Assert.Equal(1, ImportClient.Count(manifest, 0));
        var error = manifest.GetProperty("error")[0];
        using var errors = await client.GetAsync(new Uri(error.GetProperty("url").GetString()!).PathAndQuery);
        var outcome = Assert.IsType<OperationOutcome>(FhirSerialization.JsonDeserializer.DeserializeResource((await errors.Content.ReadAsStringAsync()).Trim()));
        Assert.Equal(OperationOutcome.IssueType.Forbidden, outcome.Issue[0].Code);
        Assert.StartsWith("line 2 (Encounter)", outcome.Issue[0].Details!.Text, StringComparison.Ordinal);
        using var admin = Client("system/*.*");
        Assert.Equal(0, await ImportClient.TotalAsync(admin, "Encounter"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/fhir/Patient/typed-1")).StatusCode);
    }

    [Fact]
    public async Task Only_the_requester_sees_and_cancels_its_job()
    {
        using var owner = Client("system/*.*");
        using var start = await ImportClient.UploadAsync(owner, OnePatient("owned-1"));
        var status = ImportClient.Accepted(start);
        using var stranger = Client("system/*.*", new() { ["sub"] = "someone-else" });
        using var otherClinic = Client("system/*.*", new() { ["tenant"] = "clinic-b" });

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync(status)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.DeleteAsync(status)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherClinic.GetAsync(status)).StatusCode);
        await ImportClient.ManifestAsync(owner, status);
    }

    [Fact]
    public async Task Imported_resources_land_in_the_callers_clinic_only()
    {
        using var clinicB = Client("system/*.*", new() { ["tenant"] = "clinic-b" });
        using var start = await ImportClient.UploadAsync(clinicB, OnePatient("tenant-1"));
        await ImportClient.ManifestAsync(clinicB, ImportClient.Accepted(start));

        Assert.Equal(HttpStatusCode.OK, (await clinicB.GetAsync("/fhir/Patient/tenant-1")).StatusCode);
        using var defaultClinic = Client("system/*.*");
        Assert.Equal(HttpStatusCode.NotFound, (await defaultClinic.GetAsync("/fhir/Patient/tenant-1")).StatusCode);
        Assert.True(await ImportClient.TotalAsync(clinicB, "AuditEvent?entity=Patient/tenant-1/_history/1") >= 1);
    }
}
