using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

/// <summary>
/// The methods of HTTP as RFC 9110 has every server handle them: HEAD is GET without content (§9.1, §9.3.2), and a
/// 405 says in <c>Allow</c> which methods the target does support (§15.5.6).
/// </summary>
public sealed class HttpMethodTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task<Patient> CreateAsync()
    {
        using var response = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(Clinical.NewMrn()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsAsync<Patient>();
    }

    private async Task<HttpResponseMessage> HeadAsync(string url, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await _client.SendAsync(request);
    }

    [Fact]
    public async Task Head_of_a_resource_has_the_read_headers_and_no_content()
    {
        var patient = await CreateAsync();

        using var response = await HeadAsync($"/fhir/Patient/{patient.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("W/\"1\"", response.ETag());
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.Equal(FhirHttp.Json, response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_answers_as_get_would_for_conditional_unknown_search_and_metadata()
    {
        var patient = await CreateAsync();

        using var notModified = await HeadAsync($"/fhir/Patient/{patient.Id}", ifNoneMatch: "W/\"1\"");
        using var unknown = await HeadAsync($"/fhir/Patient/none-{Guid.NewGuid():N}");
        using var search = await HeadAsync($"/fhir/Patient?_id={patient.Id}");
        using var metadata = await HeadAsync("/fhir/metadata");

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Empty(await unknown.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Empty(await search.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        Assert.Empty(await metadata.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("POST", "/fhir/Patient/{id}", "DELETE, GET, HEAD, PUT")]
    [InlineData("PATCH", "/fhir/Patient", "DELETE, GET, HEAD, POST, PUT")]
    [InlineData("PUT", "/fhir/AuditEvent/{id}", "GET, HEAD")]
    [InlineData("DELETE", "/fhir/Patient/{id}/_history/1", "GET, HEAD")]
    public async Task Method_not_allowed_names_the_allowed_methods(string method, string url, string allowed)
    {
        var patient = await CreateAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), url.Replace("{id}", patient.Id, StringComparison.Ordinal))
        {
            Content = FhirHttp.JsonBody(patient),
        };

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allowed, string.Join(", ", response.Content.Headers.Allow));
        Assert.Equal(OperationOutcome.IssueType.NotSupported, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
    }
}
