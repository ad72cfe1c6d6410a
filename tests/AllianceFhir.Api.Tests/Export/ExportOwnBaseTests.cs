using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>
/// A <c>_typeFilter</c> whose reference values are absolute URLs under this server's own base selects what the same
/// search selects (R4 search.html: a relative reference and an absolute URL resolving to the same value match), with the
/// base of the kick-off request: the job runs in the background, outside any request.
/// </summary>
public sealed class ExportOwnBaseTests : IDisposable
{
    /// <summary>The test client's own base: no public base is configured, and it talks to http://localhost.</summary>
    private const string OwnBase = "http://localhost/fhir";

    private const string OtherBase = "http://other.example/fhir";

    private readonly FhirApplication _app;
    private readonly HttpClient _client;

    public ExportOwnBaseTests()
    {
        _app = new FhirApplication().WithExportFolder();
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    /// <summary>Patient a's Observations, one per way of writing its subject, and one of patient b.</summary>
    private async Task ClinicAsync()
    {
        await ExportData.PatientsAsync(_client, "a", "b");
        await PutAsync("obs-relative", "Patient/a");
        await PutAsync("obs-own-base", $"{OwnBase}/Patient/a");
        await PutAsync("obs-other-base", $"{OtherBase}/Patient/a");
        await PutAsync("obs-b", "Patient/b");
    }

    private async Task PutAsync(string id, string subject)
    {
        var observation = ExportData.Observation(id, "unused");
        observation.Subject = new ResourceReference(subject);
        await ExportData.PutAsync(_client, observation);
    }

    private static async Task<List<string>> ExportedAsync(HttpClient client, string filter)
    {
        var export = await ExportClient.ExportAsync(client, $"/fhir/$export?_type=Observation&_typeFilter={Uri.EscapeDataString(filter)}");
        return [.. ExportClient.Ids(export, "Observation").Order(StringComparer.Ordinal)];
    }

    private async Task<List<string>> SearchedAsync(string query) =>
        [.. (await _client.SearchAsync($"/fhir/{query}")).Entry.Select(e => e.Resource!.Id!).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("Observation?subject=" + OwnBase + "/Patient/a", new[] { "obs-own-base", "obs-relative" })]
    [InlineData("Observation?subject=Patient/a", new[] { "obs-own-base", "obs-relative" })]
    [InlineData("Observation?subject=" + OtherBase + "/Patient/a", new[] { "obs-other-base" })]
    public async Task A_type_filter_selects_what_the_same_search_finds(string filter, string[] expected)
    {
        await ClinicAsync();

        Assert.Equal(expected, await SearchedAsync(filter));
        Assert.Equal(expected, await ExportedAsync(_client, filter));
    }

    [Fact]
    public async Task The_job_keeps_the_base_of_the_kick_off_request()
    {
        await ClinicAsync();
        using var clinic = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://clinic.test") });

        Assert.Equal(["obs-own-base", "obs-relative"], await ExportedAsync(clinic, "Observation?subject=http://clinic.test/fhir/Patient/a"));
    }

    [Fact]
    public async Task A_type_filter_naming_a_url_under_our_base_of_the_wrong_type_is_400_as_the_search_is()
    {
        var filter = $"Observation?subject:Group={OwnBase}/Patient/a";
        using var search = await _client.GetAsync($"/fhir/{filter}");
        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);

        using var response = await ExportClient.KickOffAsync(_client, $"/fhir/$export?_type=Observation&_typeFilter={Uri.EscapeDataString(filter)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a Group reference", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(0, await ExportJobRows.CountAsync(_app.DatabasePath));
    }
}

/// <summary>With <c>Fhir:PublicBaseUrl</c> configured, a filter under it is local whatever host kicked the export off, and the host's own URLs are not.</summary>
public sealed class ExportPublicBaseTests : IDisposable
{
    /// <summary>Its path is the app's own, so the status and file URLs of the manifest can be followed in the test server.</summary>
    private const string PublicBase = "https://fhir.example.org/fhir";

    private readonly FhirApplication _app;
    private readonly HttpClient _client;

    public ExportPublicBaseTests()
    {
        _app = new FhirApplication()
            .With("Fhir:PublicBaseUrl", PublicBase)
            .WithExportFolder();
        _client = _app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://evil.example") });
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    [Fact]
    public async Task A_filter_under_the_public_base_selects_local_references_and_one_under_the_request_host_does_not()
    {
        await ExportData.PatientsAsync(_client, "a");
        await ExportData.PutAsync(_client, ExportData.Observation("obs-relative", "a"));

        var underPublic = await ExportClient.ExportAsync(_client, $"/fhir/$export?_type=Observation&_typeFilter={Uri.EscapeDataString($"Observation?subject={PublicBase}/Patient/a")}");
        var underHost = await ExportClient.ExportAsync(_client, $"/fhir/$export?_type=Observation&_typeFilter={Uri.EscapeDataString("Observation?subject=http://evil.example/fhir/Patient/a")}");

        Assert.Equal(["obs-relative"], ExportClient.Ids(underPublic, "Observation"));
        Assert.Empty(ExportClient.Ids(underHost, "Observation"));
    }
}
