using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Endpoints;

public class FormatTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task<string> CreateAsync(string mrn)
    {
        using var response = await _client.PostAsync("/fhir/Patient", Patients.WithMrn(mrn));
        return (await response.ReadAsAsync<Patient>()).Id!;
    }

    [Fact]
    public async Task Xml_body_is_accepted_and_xml_is_returned_when_accepted()
    {
        const string xml = """
            <Patient xmlns="http://hl7.org/fhir">
              <identifier><system value="http://clinic.example.org/mrn"/><value value="f-xml"/></identifier>
              <name><family value="Xml"/></name>
            </Patient>
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient")
        {
            Content = new StringContent(xml, Encoding.UTF8, FhirHttp.Xml),
        };
        request.Headers.Accept.Add(FhirHttp.Accept(FhirHttp.Xml));

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(FhirHttp.Xml, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("Xml", (await response.ReadAsAsync<Patient>()).Name[0].Family);
    }

    [Theory]
    [InlineData("xml", FhirHttp.Xml)]
    [InlineData("application/fhir+xml", FhirHttp.Xml)]
    [InlineData("json", FhirHttp.Json)]
    [InlineData("application/fhir+json", FhirHttp.Json)]
    public async Task Format_parameter_overrides_accept(string format, string expected)
    {
        var id = await CreateAsync("f-1");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{id}?_format={Uri.EscapeDataString(format)}");
        request.Headers.Accept.Add(FhirHttp.Accept(expected == FhirHttp.Xml ? FhirHttp.Json : FhirHttp.Xml));

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Pretty_indents_the_response()
    {
        var id = await CreateAsync("f-2");

        var compact = await _client.GetStringAsync($"/fhir/Patient/{id}");
        var pretty = await _client.GetStringAsync($"/fhir/Patient/{id}?_pretty=true");

        Assert.DoesNotContain('\n', compact);
        Assert.Contains('\n', pretty);
    }

    [Fact]
    public async Task A_plain_json_read_sends_the_stored_bytes_as_the_serializer_would_write_them()
    {
        var id = await CreateAsync("f-bytes");

        // A plain JSON read skips parse and serialize: the stored text must be what they would have produced, and carry
        // the version the headers announce.
        using var response = await _client.GetAsync($"/fhir/Patient/{id}");
        var sent = await response.Content.ReadAsStringAsync();
        var patient = FhirJsonDeserializer.DEFAULT.Deserialize<Patient>(sent);

        Assert.Equal(FhirJsonSerializer.Default.SerializeToString(patient), sent);
        var meta = Assert.IsType<Meta>(patient.Meta);
        Assert.Equal($"W/\"{meta.VersionId}\"", response.Headers.ETag?.ToString());
        Assert.NotNull(meta.LastUpdated);
        Assert.Equal(meta.LastUpdated.Value.ToUnixTimeSeconds(), response.Content.Headers.LastModified?.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Summary_and_elements_are_applied_to_a_read_rather_than_the_stored_bytes()
    {
        var id = await CreateAsync("f-subset");

        var full = await _client.GetStringAsync($"/fhir/Patient/{id}");
        var elements = await _client.GetStringAsync($"/fhir/Patient/{id}?_elements=identifier");
        var summary = await _client.GetStringAsync($"/fhir/Patient/{id}?_summary=text");
        using var xmlRequest = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{id}?_format=xml");
        using var xml = await _client.SendAsync(xmlRequest);

        Assert.Contains("\"name\"", full);
        Assert.DoesNotContain("\"name\"", elements);
        Assert.Contains("SUBSETTED", elements);
        Assert.DoesNotContain("\"name\"", summary);
        Assert.Equal(FhirHttp.Xml, xml.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<Patient", await xml.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unsupported_accept_is_406_with_an_operation_outcome()
    {
        var id = await CreateAsync("f-3");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{id}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        await response.ReadAsAsync<OperationOutcome>();
    }

    [Fact]
    public async Task Unsupported_content_type_is_415_and_nothing_is_stored()
    {
        using var response = await _client.PostAsync(
            "/fhir/Patient",
            new StringContent("""{"resourceType":"Patient","identifier":[{"value":"f-415"}]}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await response.ReadAsAsync<OperationOutcome>();
        Assert.Empty((await (await _client.GetAsync("/fhir/Patient?identifier=f-415")).ReadAsAsync<Bundle>()).Entry);
    }

    /// <summary>A read refuses a _summary value R4 does not define with the 400 a search gives it, whatever Prefer: handling says.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("handling=lenient")]
    [InlineData("handling=strict")]
    public async Task An_unknown_summary_is_400_on_a_read_as_on_a_search(string? prefer)
    {
        var id = await CreateAsync("f-summary");
        foreach (var url in new[] { $"/fhir/Patient/{id}?_summary=bogus", $"/fhir/Patient?_id={id}&_summary=bogus", $"/fhir/Patient/{id}/_history/1?_summary=bogus" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (prefer is not null)
            {
                request.Headers.TryAddWithoutValidation("Prefer", prefer);
            }

            using var response = await _client.SendAsync(request);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("_summary", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        }
    }

    /// <summary>R4 http.html, "FHIR Version Parameter": the server speaks R4 (4.0) only; other versions are formats it does not support.</summary>
    [Theory]
    [InlineData("application/fhir+json; fhirVersion=4.0", HttpStatusCode.OK)]
    [InlineData("application/fhir+xml; fhirVersion=4.0", HttpStatusCode.OK)]
    [InlineData("application/fhir+json; fhirVersion=4.0.1", HttpStatusCode.OK)]
    [InlineData("application/fhir+json; fhirVersion=4.01", HttpStatusCode.NotAcceptable)]
    [InlineData("application/fhir+json; fhirVersion=4.3", HttpStatusCode.NotAcceptable)]
    [InlineData("application/fhir+json; fhirVersion=3.0", HttpStatusCode.NotAcceptable)]
    [InlineData("application/fhir+json; fhirversion=5.0", HttpStatusCode.NotAcceptable)]
    [InlineData("application/fhir+json; fhirVersion=3.0, application/fhir+json; fhirVersion=4.0; q=0.5", HttpStatusCode.OK)]
    public async Task The_fhirVersion_accept_parameter_is_honoured(string accept, HttpStatusCode expected)
    {
        var id = await CreateAsync("f-version");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Patient/{id}");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await _client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.NotAcceptable)
        {
            var outcome = await response.ReadAsAsync<OperationOutcome>();
            Assert.Equal(OperationOutcome.IssueType.NotSupported, outcome.Issue[0].Code);
            Assert.Contains("fhirVersion=4.0", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_format_parameter_with_another_fhirVersion_is_406()
    {
        var id = await CreateAsync("f-version-format");

        using var response = await _client.GetAsync($"/fhir/Patient/{id}?_format={Uri.EscapeDataString("application/fhir+json;fhirVersion=3.0")}");

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        await response.ReadAsAsync<OperationOutcome>();
    }

    [Theory]
    [InlineData("4.0", HttpStatusCode.Created)]
    [InlineData("4.0.1", HttpStatusCode.Created)]
    [InlineData("3.0", HttpStatusCode.UnsupportedMediaType)]
    public async Task A_body_declared_in_another_fhirVersion_is_415_and_nothing_is_stored(string version, HttpStatusCode expected)
    {
        var mrn = $"f-version-{version}-{Guid.NewGuid():N}";
        var content = new StringContent($$"""{"resourceType":"Patient","identifier":[{"value":"{{mrn}}"}]}""", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"application/fhir+json; fhirVersion={version}");

        using var response = await _client.PostAsync("/fhir/Patient", content);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.Created ? 1 : 0, (await (await _client.GetAsync($"/fhir/Patient?identifier={mrn}")).ReadAsAsync<Bundle>()).Entry.Count);
    }

    [Fact]
    public async Task The_capability_statement_answers_an_r4_request_with_fhirVersion_4_0_1()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/metadata");
        request.Headers.TryAddWithoutValidation("Accept", "application/fhir+json; fhirVersion=4.0");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FHIRVersion.N4_0_1, (await response.ReadAsAsync<CapabilityStatement>()).FhirVersion);
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","unknownThing":true}""", "Patient.unknownThing")]
    [InlineData("""{"resourceType":"Patient","birthDate":"1990-13-45"}""", "Patient.birthDate")]
    [InlineData("""{"resourceType":"Patient","active":"yes"}""", "Patient.active")]
    public async Task Strict_parsing_rejects_bad_content_with_its_location(string body, string expression)
    {
        using var response = await _client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Expression.Contains(expression));
    }

    [Fact]
    public async Task Malformed_json_is_400()
    {
        using var response = await _client.PostAsync("/fhir/Patient", FhirHttp.JsonBody("{\"resourceType\": \"Patient\", "));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ReadAsAsync<OperationOutcome>();
    }

    [Fact]
    public async Task Method_not_offered_is_405_with_an_operation_outcome()
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "/fhir/Patient/x")
        {
            Content = new StringContent("[]", Encoding.UTF8, "application/json-patch+json"),
        });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await response.ReadAsAsync<OperationOutcome>();
    }
}
