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

    /// <summary>RFC 9110 §13.1.1: <c>If-Match: *</c> holds when the resource has a current representation.</summary>
    [Fact]
    public async Task Update_with_if_match_star_applies_to_an_existing_resource()
    {
        var patient = await CreateAsync();
        var changed = (Patient)patient.DeepCopy();
        changed.Name[0].Family = "Changed";

        using var response = await _client.PutAsync($"/fhir/Patient/{patient.Id}", changed, "*");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("W/\"2\"", response.ETag());
    }

    [Fact]
    public async Task Update_with_if_match_star_of_an_unknown_or_deleted_resource_is_412_and_creates_nothing()
    {
        var unknown = Patients.WithMrn(Clinical.NewMrn());
        unknown.Id = $"none-{Guid.NewGuid():N}";
        var deleted = await CreateAsync();
        using (var delete = await _client.DeleteAsync($"/fhir/Patient/{deleted.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var toUnknown = await _client.PutAsync($"/fhir/Patient/{unknown.Id}", unknown, "*");
        using var toDeleted = await _client.PutAsync($"/fhir/Patient/{deleted.Id}", deleted, "*");

        Assert.Equal(HttpStatusCode.PreconditionFailed, toUnknown.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Conflict, (await toUnknown.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        Assert.Equal(HttpStatusCode.PreconditionFailed, toDeleted.StatusCode);
        using var readUnknown = await _client.GetAsync($"/fhir/Patient/{unknown.Id}");
        Assert.Equal(HttpStatusCode.NotFound, readUnknown.StatusCode);
        using var readDeleted = await _client.GetAsync($"/fhir/Patient/{deleted.Id}");
        Assert.Equal(HttpStatusCode.Gone, readDeleted.StatusCode);
    }

    [Fact]
    public async Task Delete_with_if_match_star_deletes_an_existing_resource_and_is_412_when_there_is_none()
    {
        var patient = await CreateAsync();

        using var first = await DeleteAsync($"/fhir/Patient/{patient.Id}", "*");
        using var again = await DeleteAsync($"/fhir/Patient/{patient.Id}", "*");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal("W/\"2\"", first.ETag());
        Assert.Equal(HttpStatusCode.PreconditionFailed, again.StatusCode);
        using var read = await _client.GetAsync($"/fhir/Patient/{patient.Id}");
        Assert.Equal(HttpStatusCode.Gone, read.StatusCode);
    }

    [Fact]
    public async Task Transaction_entries_with_if_match_star_apply_to_existing_resources_and_fail_on_missing_ones()
    {
        var patient = await CreateAsync();
        var gone = await CreateAsync();
        var changed = (Patient)patient.DeepCopy();
        changed.Name[0].Family = "Changed";
        var missing = Patients.WithMrn(Clinical.NewMrn());
        missing.Id = $"none-{Guid.NewGuid():N}";

        using var applied = await _client.PostBundleAsync(BundleBuilder.Transaction()
            .Put($"Patient/{patient.Id}", changed, ifMatch: "*")
            .Delete($"Patient/{gone.Id}", ifMatch: "*")
            .Bundle);
        using var refused = await _client.PostBundleAsync(BundleBuilder.Transaction()
            .Put($"Patient/{missing.Id}", missing, ifMatch: "*")
            .Bundle);

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(["200 OK", "204 No Content"], (await applied.ReadAsAsync<Bundle>()).Entry.Select(e => e.Response!.Status));
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        using var read = await _client.GetAsync($"/fhir/Patient/{missing.Id}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    /// <summary>
    /// RFC 9110 §13.1.2: an origin server evaluates If-None-Match before a PUT; <c>*</c> (or the current version's tag)
    /// makes it 412 when the resource exists, so "create only" never overwrites. A transaction's PUT entry reads it the same way.
    /// </summary>
    [Fact]
    public async Task Update_with_if_none_match_star_only_creates_as_a_transaction_put_entry_does()
    {
        var existing = await CreateAsync();
        var changed = (Patient)existing.DeepCopy();
        changed.Name[0].Family = "Changed";
        var fresh = Patients.WithMrn(Clinical.NewMrn());
        fresh.Id = $"fresh-{Guid.NewGuid():N}";

        using var created = await PutAsync($"/fhir/Patient/{fresh.Id}", fresh, ifNoneMatch: "*");
        using var refused = await PutAsync($"/fhir/Patient/{existing.Id}", changed, ifNoneMatch: "*");
        using var refusedByTag = await PutAsync($"/fhir/Patient/{existing.Id}", changed, ifNoneMatch: "W/\"1\"");
        using var otherTag = await PutAsync($"/fhir/Patient/{existing.Id}", existing, ifNoneMatch: "W/\"7\"");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refusedByTag.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherTag.StatusCode);
        using var read = await _client.GetAsync($"/fhir/Patient/{existing.Id}");
        Assert.Equal(existing.Name[0].Family, (await read.ReadAsAsync<Patient>()).Name[0].Family);
    }

    [Fact]
    public async Task Transaction_get_entry_with_if_none_match_of_the_current_version_is_304()
    {
        var patient = await CreateAsync();

        using var response = await _client.PostBundleAsync(BundleBuilder.Transaction()
            .Get($"Patient/{patient.Id}", ifNoneMatch: "W/\"1\"")
            .Get($"Patient/{patient.Id}", ifNoneMatch: "W/\"7\"")
            .Bundle);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = (await response.ReadAsAsync<Bundle>()).Entry;
        Assert.Equal(["304 Not Modified", "200 OK"], entries.Select(e => e.Response!.Status));
        Assert.Null(entries[0].Resource);
    }

    private async Task<HttpResponseMessage> DeleteAsync(string url, string ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, url);
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await _client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PutAsync(string url, Patient patient, string ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = FhirHttp.JsonBody(patient) };
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await _client.SendAsync(request);
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
