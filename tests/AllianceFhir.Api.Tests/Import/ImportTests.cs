using System.Net;
using System.Text.Json;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Import;

/// <summary>$import over HTTP against the real app on SQLite, with inputs served by a WireMock.Net file server.</summary>
public sealed class ImportTests : IDisposable
{
    private readonly ImportFileServer _files = new();
    private readonly FhirApplication _app;
    private readonly HttpClient _client;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", Guid.NewGuid().ToString("N"));

    public ImportTests()
    {
        _app = new FhirApplication()
            .With("Import:AllowedUrlPrefixes:0", _files.BaseUrl + "/")
            .With("Import:Folder", _folder)
            .With("Import:PollMilliseconds", "100");
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        _files.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<(string Patients, string Responses)> ClinicExportAsync(string prefix)
    {
        var wai = await InstrumentResponses.FetchAsync(_client, "wai-sr");
        var encounter = new Encounter
        {
            Id = InstrumentResponses.EncounterId,
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
        };
        var patients = ImportClient.Ndjson(Patients.WithId($"{prefix}1"), Patients.WithId($"{prefix}2"), encounter);
        var responses = Enumerable.Range(1, 2).Select(i =>
        {
            var response = InstrumentResponses.Choices(wai, $"{prefix}{i}", [.. Enumerable.Repeat(i, 12)]);
            response.Identifier = new Identifier("http://clinic.example.org/forms", $"{prefix}-form-{i}");
            return (Resource)response;
        }).ToArray();
        return (_files.Serve($"/{prefix}/patients.ndjson", patients), _files.Serve($"/{prefix}/responses.ndjson", ImportClient.Ndjson(responses)));
    }

    [Fact]
    public async Task Mixed_inputs_are_imported_scored_and_extracted_with_an_audit_trail()
    {
        var (patients, responses) = await ClinicExportAsync("mix");
        using var start = await ImportClient.StartAsync(_client, ImportClient.Inputs((patients, null), (responses, "QuestionnaireResponse")));
        var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(start));

        Assert.Equal(3, ImportClient.Count(manifest, 0));
        Assert.Equal(2, ImportClient.Count(manifest, 1));
        Assert.Equal(patients, manifest.GetProperty("output")[0].GetProperty("inputUrl").GetString());
        Assert.Equal(0, manifest.GetProperty("error").GetArrayLength());
        Assert.Equal(2, await ImportClient.TotalAsync(_client, "Patient?_id=mix1,mix2"));
        Assert.Equal(2, await ImportClient.TotalAsync(_client, "QuestionnaireResponse?identifier=http://clinic.example.org/forms|"));
        Assert.True(await ImportClient.TotalAsync(_client, "Observation?subject=Patient/mix1") > 0, "the WAI-SR scores were extracted");
        Assert.True(await ImportClient.TotalAsync(_client, "AuditEvent?entity=Patient/mix1/_history/1") >= 1, "the batch that wrote it was audited");
    }

    [Fact]
    public async Task Refused_lines_are_reported_with_line_numbers_and_do_not_stop_the_rest()
    {
        var good = FhirSerialization.JsonSerializer.SerializeToString(Patients.WithId("bad-ok1"));
        var orphan = FhirSerialization.JsonSerializer.SerializeToString(new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "1234-5"),
            Subject = new ResourceReference("Patient/nobody-here"),
        });
        var ndjson = string.Join('\n',
            good,
            "{ not json",
            """{"resourceType":"Patient","unknownElement":true}""",
            orphan,
            FhirSerialization.JsonSerializer.SerializeToString(Patients.WithId("bad-ok2")),
            string.Empty);

        using var start = await ImportClient.UploadAsync(_client, ndjson);
        var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(start));

        Assert.Equal(2, ImportClient.Count(manifest, 0));
        var error = manifest.GetProperty("error")[0];
        Assert.Equal(3, error.GetProperty("count").GetInt64());
        using var errors = await _client.GetAsync(new Uri(error.GetProperty("url").GetString()!).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, errors.StatusCode);
        var outcomes = (await errors.Content.ReadAsStringAsync())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => Assert.IsType<OperationOutcome>(FhirSerialization.JsonDeserializer.DeserializeResource(line)))
            .ToList();
        Assert.Equal(3, outcomes.Count);
        Assert.StartsWith("line 2", outcomes[0].Issue[0].Details!.Text, StringComparison.Ordinal);
        Assert.StartsWith("line 3", outcomes[1].Issue[0].Details!.Text, StringComparison.Ordinal);
        Assert.StartsWith("line 4 (Observation)", outcomes[2].Issue[0].Details!.Text, StringComparison.Ordinal);
        Assert.Contains(outcomes[2].Issue, i => i.Code == OperationOutcome.IssueType.NotFound && i.Expression.Contains("Observation.subject"));
        Assert.Equal(0, await ImportClient.TotalAsync(_client, "Observation?code=http://loinc.org|1234-5"));
        Assert.Equal(2, await ImportClient.TotalAsync(_client, "Patient?_id=bad-ok1,bad-ok2"));

        // The finished job's upload (a clinic's data) is gone from the server's disk; its report stays for the result.
        Assert.Empty(Uploads());
        Assert.NotEmpty(Directory.GetFiles(_folder, "errors-*.ndjson", SearchOption.AllDirectories));
    }

    /// <summary>
    /// The job runs outside the request that started it, yet takes references under that request's base (no public base
    /// is configured here) as local, as the REST write would: one to nothing is refused, one to a patient is found by the
    /// relative value and keeps the patient from being deleted.
    /// </summary>
    [Fact]
    public async Task References_under_the_base_the_job_was_started_at_are_local()
    {
        var ndjson = string.Join('\n',
            FhirSerialization.JsonSerializer.SerializeToString(Patients.WithId("own-base-1")),
            FhirSerialization.JsonSerializer.SerializeToString(Bundles.Clinical.ScoreFor("http://localhost/fhir/Patient/own-base-1")),
            FhirSerialization.JsonSerializer.SerializeToString(Bundles.Clinical.ScoreFor("http://localhost/fhir/Patient/own-base-nobody")),
            string.Empty);

        using var start = await ImportClient.UploadAsync(_client, ndjson);
        var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(start));

        Assert.Equal(2, ImportClient.Count(manifest, 0));
        Assert.Equal(1, manifest.GetProperty("error")[0].GetProperty("count").GetInt64());
        Assert.Equal(1, await ImportClient.TotalAsync(_client, "Observation?subject=Patient/own-base-1"));
        Assert.Equal(HttpStatusCode.Conflict, (await _client.DeleteAsync("/fhir/Patient/own-base-1")).StatusCode);
    }

    /// <summary>
    /// The body guard's fuzz findings hold for import lines too: a line that made Firely's parser throw was refused as
    /// a fault of ours (HTTP 500 in the report) instead of the 400 its REST write gets.
    /// </summary>
    [Fact]
    public async Task A_line_with_a_property_given_twice_is_refused_as_the_REST_write_is()
    {
        var ndjson = string.Join('\n',
            """{"resourceType":"Patient","id":"twice-1","name":[{"family":"Fuzz","given":["Casey"],"given":{"id":"x"}}]}""",
            FhirSerialization.JsonSerializer.SerializeToString(Patients.WithId("twice-ok")),
            string.Empty);

        using var start = await ImportClient.UploadAsync(_client, ndjson);
        var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(start));

        Assert.Equal(1, ImportClient.Count(manifest, 0));
        using var errors = await _client.GetAsync(new Uri(manifest.GetProperty("error")[0].GetProperty("url").GetString()!).PathAndQuery);
        var outcome = Assert.IsType<OperationOutcome>(FhirSerialization.JsonDeserializer.DeserializeResource(
            Assert.Single((await errors.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))));
        Assert.Equal("line 1: refused as a REST write would be, with HTTP 400", outcome.Issue[0].Details!.Text);
        Assert.Contains("more than once", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(0, await ImportClient.TotalAsync(_client, "Patient?_id=twice-1"));
    }

    private string[] Uploads() =>
        Directory.Exists(_folder) ? Directory.GetFiles(_folder, "upload-*.ndjson", SearchOption.AllDirectories) : [];

    [Fact]
    public async Task Importing_the_same_files_twice_leaves_the_same_data_and_no_new_versions()
    {
        var (patients, responses) = await ClinicExportAsync("again");
        var inputs = ImportClient.Inputs((patients, null), (responses, "QuestionnaireResponse"));
        using (var first = await ImportClient.StartAsync(_client, inputs))
        {
            await ImportClient.ManifestAsync(_client, ImportClient.Accepted(first));
        }

        var observations = await ImportClient.TotalAsync(_client, "Observation?subject=Patient/again1");
        using var second = await ImportClient.StartAsync(_client, inputs);
        var manifest = await ImportClient.ManifestAsync(_client, ImportClient.Accepted(second));

        Assert.Equal(3, manifest.GetProperty("output")[0].GetProperty("extension").GetProperty("unchanged").GetInt64());
        Assert.Equal(2, manifest.GetProperty("output")[1].GetProperty("extension").GetProperty("unchanged").GetInt64());
        Assert.Equal(2, await ImportClient.TotalAsync(_client, "QuestionnaireResponse?identifier=http://clinic.example.org/forms|"));
        Assert.Equal(observations, await ImportClient.TotalAsync(_client, "Observation?subject=Patient/again1"));
        var history = await (await _client.GetAsync("/fhir/Patient/again1/_history")).ReadAsAsync<Bundle>();
        Assert.Single(history.Entry);
    }

    [Fact]
    public async Task An_unreachable_input_fails_the_job_with_an_outcome()
    {
        using var start = await ImportClient.StartAsync(_client, ImportClient.Inputs((_files.Missing("/gone.ndjson"), "Patient")));
        using var status = await ImportClient.WaitAsync(_client, ImportClient.Accepted(start));

        Assert.Equal(HttpStatusCode.InternalServerError, status.StatusCode);
        Assert.Contains("HTTP 404", (await status.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/elsewhere.ndjson", HttpStatusCode.Forbidden)]
    [InlineData("not a url", HttpStatusCode.BadRequest)]
    public async Task Inputs_outside_the_allowed_prefixes_are_refused_before_a_job_is_recorded(string url, HttpStatusCode expected)
    {
        using var start = await ImportClient.StartAsync(_client, ImportClient.Inputs((url, "Patient")));

        Assert.Equal(expected, start.StatusCode);
        Assert.IsType<OperationOutcome>(await start.ReadAsAsync<OperationOutcome>());
        Assert.Null(start.Content.Headers.ContentLocation);
    }

    [Fact]
    public async Task Without_respond_async_the_request_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/$import") { Content = FhirHttp.JsonBody(ImportClient.Inputs((_files.BaseUrl + "/x.ndjson", "Patient"))) };
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("respond-async", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_job_stops_and_its_status_is_gone()
    {
        var many = ImportClient.Ndjson([.. Enumerable.Range(0, 3000).Select(i => (Resource)Patients.WithMrn($"cancel-{i}"))]);
        using var app = new FhirApplication().With("Import:BatchSize", "5").With("Import:Folder", _folder);
        using var client = app.CreateClient();
        using var start = await ImportClient.UploadAsync(client, many, "Patient");
        var status = ImportClient.Accepted(start);

        using var cancel = await client.DeleteAsync(status);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        using var after = await client.GetAsync(status);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);

        await System.Threading.Tasks.Task.Delay(500);
        var settled = await ImportClient.TotalAsync(client, "Patient?identifier=http://clinic.example.org/mrn|");
        await System.Threading.Tasks.Task.Delay(500);
        Assert.Equal(settled, await ImportClient.TotalAsync(client, "Patient?identifier=http://clinic.example.org/mrn|"));
        Assert.True(settled < 3000, $"the cancelled job went on to import {settled} patients");
        using var again = await client.DeleteAsync(status);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        // The worker drops the cancelled job's spooled upload once it sees the cancellation (at its next checkpoint).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Uploads().Length > 0 && DateTime.UtcNow < deadline)
        {
            await System.Threading.Tasks.Task.Delay(50);
        }

        Assert.Empty(Uploads());
    }
}
