using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

/// <summary>
/// Preconditions name versions by entity tag, <c>W/"3"</c> (RFC 9110 §8.8.3, FHIR http.html#concurrency). A value that
/// is no entity tag is refused with 400 before anything is written: read loosely, a half-quoted tag became a
/// precondition the client did not write, or none at all.
/// </summary>
public sealed class EntityTagTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task<Patient> CreateAsync()
    {
        using var response = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(Clinical.NewMrn()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsAsync<Patient>();
    }

    private async Task AssertUnchangedAsync(Patient patient)
    {
        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("W/\"1\"", read.ETag());
        Assert.Equal(patient.Name[0].Family, (await read.ReadAsAsync<Patient>()).Name[0].Family);
    }

    private static async Task AssertBadRequestNamingAsync(HttpResponseMessage response, string name)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(OperationOutcome.IssueType.Invalid, issue.Code);
        Assert.Contains(name, issue.Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("W/\"1")]
    [InlineData("1")]
    [InlineData("\"1")]
    [InlineData("1\"")]
    [InlineData("W/1")]
    public async Task Update_with_a_malformed_if_match_is_400_and_changes_nothing(string ifMatch)
    {
        var patient = await CreateAsync();
        var changed = (Patient)patient.DeepCopy();
        changed.Name[0].Family = "Changed";

        using var response = await _client.PutAsync($"/fhir/Patient/{patient.Id}", changed, ifMatch);

        await AssertBadRequestNamingAsync(response, "If-Match");
        await AssertUnchangedAsync(patient);
    }

    [Fact]
    public async Task Delete_with_a_malformed_if_match_is_400_and_deletes_nothing()
    {
        var patient = await CreateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/fhir/Patient/{patient.Id}");
        request.Headers.TryAddWithoutValidation("If-Match", "W/\"1");

        using var response = await _client.SendAsync(request);

        await AssertBadRequestNamingAsync(response, "If-Match");
        await AssertUnchangedAsync(patient);
    }

    [Theory]
    [InlineData("W/\"1\"")]
    [InlineData("\"1\"")]
    [InlineData(" W/\"1\" ")]
    public async Task Update_with_a_well_formed_if_match_of_the_current_version_applies(string ifMatch)
    {
        var patient = await CreateAsync();

        using var response = await _client.PutAsync($"/fhir/Patient/{patient.Id}", patient, ifMatch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("W/\"2\"", response.ETag());
    }

    [Theory]
    [InlineData("W/\"1")]
    [InlineData("1")]
    [InlineData("W/\"1\" W/\"2\"")]
    public async Task Read_with_a_malformed_if_none_match_is_400(string ifNoneMatch)
    {
        var patient = await CreateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{patient.Id}");
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);

        using var response = await _client.SendAsync(request);

        await AssertBadRequestNamingAsync(response, "If-None-Match");
    }

    [Theory]
    [InlineData("W/\"1\"", HttpStatusCode.NotModified)]
    [InlineData("W/\"7\", W/\"1\"", HttpStatusCode.NotModified)]
    [InlineData("\"a,b\", W/\"1\"", HttpStatusCode.NotModified)]
    [InlineData("*", HttpStatusCode.NotModified)]
    [InlineData("W/\"7\"", HttpStatusCode.OK)]
    public async Task Read_with_a_well_formed_if_none_match_compares_every_tag(string ifNoneMatch, HttpStatusCode expected)
    {
        var patient = await CreateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{patient.Id}");
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);

        using var response = await _client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Transaction_entry_with_a_malformed_if_none_match_is_400_and_stores_nothing()
    {
        var patient = await CreateAsync();
        var changed = (Patient)patient.DeepCopy();
        changed.Name[0].Family = "Changed";
        var bundle = BundleBuilder.Transaction().Put($"Patient/{patient.Id}", changed, ifNoneMatch: "W/\"1").Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        await AssertBadRequestNamingAsync(response, "request.ifNoneMatch");
        await AssertUnchangedAsync(patient);
    }

    [Fact]
    public async Task Transaction_entry_with_a_malformed_if_match_is_400_and_stores_nothing()
    {
        var patient = await CreateAsync();
        var changed = (Patient)patient.DeepCopy();
        changed.Name[0].Family = "Changed";
        var bundle = BundleBuilder.Transaction().Put($"Patient/{patient.Id}", changed, ifMatch: "1").Bundle;

        using var response = await _client.PostBundleAsync(bundle);

        await AssertBadRequestNamingAsync(response, "request.ifMatch");
        await AssertUnchangedAsync(patient);
    }
}
