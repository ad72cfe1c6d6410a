using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

public class CreateAndReadTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Create_returns_201_with_location_etag_and_last_modified()
    {
        var patient = Patients.WithMrn("c-1");
        patient.Id = "client-chosen";

        using var response = await _client.PostAsync("/fhir/Patient", patient);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadAsAsync<Patient>();
        Assert.NotEqual("client-chosen", created.Id);
        Assert.Equal("1", created.Meta?.VersionId);
        Assert.NotNull(created.Meta?.LastUpdated);
        Assert.Equal($"http://localhost/fhir/Patient/{created.Id}/_history/1", response.Headers.Location?.ToString());
        Assert.Equal("W/\"1\"", response.ETag());
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Read_returns_the_stored_resource_and_vread_returns_each_version()
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn("c-2", "First"));
        var patient = await created.ReadAsAsync<Patient>();
        patient.Name[0].Family = "Second";
        using var updated = await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        using var v1 = await _client.GetAsync($"/fhir/Patient/{patient.Id}/_history/1");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"2\"", read.ETag());
        Assert.Equal("Second", (await read.ReadAsAsync<Patient>()).Name[0].Family);
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.Equal("First", (await v1.ReadAsAsync<Patient>()).Name[0].Family);
    }

    [Fact]
    public async Task Unknown_id_is_404_with_an_operation_outcome()
    {
        using var response = await _client.GetAsync("/fhir/Patient/does-not-exist");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Equal(OperationOutcome.IssueType.NotFound, outcome.Issue[0].Code);
    }

    [Fact]
    public async Task Unknown_version_is_404()
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn("c-3"));
        var id = (await created.ReadAsAsync<Patient>()).Id;

        using var response = await _client.GetAsync($"/fhir/Patient/{id}/_history/7");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Unsupported_resource_type_is_404_with_an_operation_outcome()
    {
        using var response = await _client.GetAsync("/fhir/Spaceship/1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Spaceship", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics);
    }

    [Fact]
    public async Task Read_with_current_if_none_match_is_304()
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn("c-4"));
        var id = (await created.ReadAsAsync<Patient>()).Id;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{id}");
        request.Headers.TryAddWithoutValidation("If-None-Match", "W/\"1\"");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    /// <summary>The last second HTTP dates can name overflowed the one-second allowance: a 500 (found by a header sweep after the fuzz seed 9CJxjsxFZt75).</summary>
    [Theory]
    [InlineData("Fri, 31 Dec 9999 23:59:59 GMT", HttpStatusCode.NotModified)]
    [InlineData("Mon, 01 Jan 0001 00:00:00 GMT", HttpStatusCode.OK)]
    public async Task Read_with_if_modified_since_at_either_end_of_time_is_answered(string ifModifiedSince, HttpStatusCode expected)
    {
        using var created = await _client.PostAsync("/fhir/Patient", Patients.WithMrn("c-7"));
        var id = (await created.ReadAsAsync<Patient>()).Id;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{id}");
        request.Headers.TryAddWithoutValidation("If-Modified-Since", ifModifiedSince);

        using var response = await _client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Prefer_minimal_returns_no_body_and_prefer_outcome_returns_an_operation_outcome()
    {
        using var minimal = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn("c-5")) };
        minimal.Headers.TryAddWithoutValidation("Prefer", "return=minimal");
        using var outcome = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient") { Content = FhirHttp.JsonBody(Patients.WithMrn("c-6")) };
        outcome.Headers.TryAddWithoutValidation("Prefer", "return=OperationOutcome");

        using var minimalResponse = await _client.SendAsync(minimal);
        using var outcomeResponse = await _client.SendAsync(outcome);

        Assert.Equal(HttpStatusCode.Created, minimalResponse.StatusCode);
        Assert.Equal(string.Empty, await minimalResponse.Content.ReadAsStringAsync());
        Assert.NotNull(minimalResponse.Headers.Location);
        Assert.Equal(HttpStatusCode.Created, outcomeResponse.StatusCode);
        await outcomeResponse.ReadAsAsync<OperationOutcome>();
    }
}
