using System.Net;
using System.Net.Http.Headers;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>$export with real tokens: scopes per exported type, patient compartments, jobs and files for their requester only.</summary>
public sealed class ExportAccessTests : IDisposable
{
    private readonly IdentityProvider _idp = new();
    private readonly FhirApplication _app;

    public ExportAccessTests()
    {
        _app = _idp.Protect(new FhirApplication()).WithExportFolder();
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

    private async Task ClinicAsync()
    {
        using var admin = Client("system/*.*");
        await ExportData.PatientsAsync(admin, "a", "b");
        await ExportData.PutAsync(admin, ExportData.Observation("obs-a", "a"));
        await ExportData.PutAsync(admin, ExportData.Observation("obs-b", "b"));
    }

    [Fact]
    public async Task Without_a_token_the_kick_off_is_401()
    {
        using var client = _app.CreateClient();
        using var response = await ExportClient.KickOffAsync(client, "/fhir/$export");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("user/Observation.c", "/fhir/$export?_type=Observation")]
    [InlineData("system/Observation.rs", "/fhir/$export?_type=Patient")]
    [InlineData("system/Patient.r", "/fhir/$export?_type=Patient")]
    [InlineData("system/Patient.rs", "/fhir/Patient/$export?_type=Patient,Observation")]
    public async Task A_missing_read_or_search_scope_is_403_before_a_job_is_recorded(string scopes, string url)
    {
        using var client = Client(scopes);
        using var response = await ExportClient.KickOffAsync(client, url);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        Assert.Equal(0, await ExportJobRows.CountAsync(_app.DatabasePath));
    }

    [Fact]
    public async Task A_system_token_exports_and_the_manifest_requires_the_token()
    {
        await ClinicAsync();
        using var client = Client("system/*.rs");

        var manifest = await ExportClient.ManifestAsync(client, await ExportClient.StartAsync(client, "/fhir/$export?_type=Patient,Observation"));

        Assert.True(manifest.GetProperty("requiresAccessToken").GetBoolean());
        Assert.Equal(2, ExportClient.Outputs(manifest)["Observation"].Count);
    }

    [Fact]
    public async Task A_patient_token_exports_only_its_own_compartment()
    {
        await ClinicAsync();
        using var client = Client("patient/*.rs", new() { ["patient"] = "a" });

        var export = await ExportClient.ExportAsync(client, "/fhir/Patient/$export");

        Assert.Equal(["a"], ExportClient.Ids(export, "Patient"));
        Assert.Equal(["obs-a"], ExportClient.Ids(export, "Observation"));
    }

    [Fact]
    public async Task A_search_filtered_scope_exports_only_what_its_search_matches()
    {
        await ClinicAsync();
        using (var admin = Client("system/*.*"))
        {
            await ExportData.PutAsync(admin, ExportData.Observation("obs-other", "a", code: "other"));
        }

        using var client = Client($"system/Observation.rs?code={ExportData.Loinc}|other");

        var export = await ExportClient.ExportAsync(client, "/fhir/$export?_type=Observation");

        Assert.Equal(["obs-other"], ExportClient.Ids(export, "Observation"));
    }

    [Fact]
    public async Task Another_tenant_or_client_can_neither_poll_cancel_nor_download()
    {
        await ClinicAsync();
        using var owner = Client("system/*.rs");
        var status = await ExportClient.StartAsync(owner, "/fhir/$export?_type=Patient");
        var file = ExportClient.Outputs(await ExportClient.ManifestAsync(owner, status))["Patient"].Url;

        using var otherTenant = Client("system/*.rs", new() { ["tenant"] = "other-clinic" });
        using var otherClient = Client("system/*.rs", new() { ["client_id"] = "other-client" });
        using var otherUser = Client("system/*.rs", new() { ["sub"] = "someone-else" });
        foreach (var intruder in new[] { otherTenant, otherClient, otherUser })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await intruder.GetAsync(status)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await intruder.GetAsync(file)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await intruder.DeleteAsync(status)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync(file)).StatusCode);
    }

    [Fact]
    public async Task Each_tenant_exports_only_its_own_data()
    {
        await ClinicAsync();
        using var other = Client("system/*.*", new() { ["tenant"] = "other-clinic" });
        await ExportData.PatientsAsync(other, "z");

        var export = await ExportClient.ExportAsync(other, "/fhir/$export?_type=Patient,Observation");

        Assert.Equal(["z"], ExportClient.Ids(export, "Patient"));
        Assert.Empty(ExportClient.Ids(export, "Observation"));
    }
}
