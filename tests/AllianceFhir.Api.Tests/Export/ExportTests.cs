using System.Net;
using System.Text.Json;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.TestHost;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>Bulk Data $export over HTTP against the real app on SQLite (open Development server).</summary>
public sealed class ExportTests : IDisposable
{
    private readonly FhirApplication _app;
    private readonly HttpClient _client;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", Guid.NewGuid().ToString("N"));

    public ExportTests()
    {
        _app = new FhirApplication()
            .With("Export:Folder", _folder)
            .With("Export:PollMilliseconds", "100");
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task ClinicAsync()
    {
        await ExportData.PatientsAsync(_client, "a", "b", "c");
        await ExportData.PutAsync(_client, ExportData.Observation("obs-a", "a"));
        await ExportData.PutAsync(_client, ExportData.Observation("obs-b", "b", code: "other"));
        await ExportData.PutAsync(_client, ExportData.Observation("obs-c-by-a", "c", performer: "a"));
        await ExportData.PutAsync(_client, new Practitioner { Id = "doc" });
    }

    private int JobFolders() => Directory.Exists(_folder) ? Directory.GetDirectories(_folder).Length : 0;

    [Theory]
    [InlineData("/fhir/$export")]
    [InlineData("/fhir/Patient/$export")]
    public async Task A_kick_off_without_respond_async_is_400_and_records_nothing(string url)
    {
        using var response = await ExportClient.KickOffAsync(_client, url, async: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("respond-async", (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Null(response.Content.Headers.ContentLocation);
        Assert.Equal(0, await ExportJobRows.CountAsync(_app.DatabasePath));
    }

    [Fact]
    public async Task System_export_writes_the_current_data_and_a_manifest_of_the_spec_shape()
    {
        await ClinicAsync();
        var url = "/fhir/$export?_type=Patient,Observation,Practitioner";

        using var kickOff = await ExportClient.KickOffAsync(_client, url);
        var status = ExportClient.Accepted(kickOff);
        var manifest = await ExportClient.ManifestAsync(_client, status);

        Assert.True(DateTimeOffset.TryParse(manifest.GetProperty("transactionTime").GetString(), out _));
        Assert.Equal($"http://localhost{url}", manifest.GetProperty("request").GetString());
        Assert.False(manifest.GetProperty("requiresAccessToken").GetBoolean());
        Assert.Empty(manifest.GetProperty("error").EnumerateArray());
        var outputs = ExportClient.Outputs(manifest);
        Assert.Equal(["Patient", "Observation", "Practitioner"], outputs.Keys);
        Assert.Equal(3, outputs["Patient"].Count);
        Assert.Equal(3, outputs["Observation"].Count);
        Assert.Equal(1, outputs["Practitioner"].Count);

        foreach (var (type, (_, file)) in outputs)
        {
            foreach (var exported in await ExportClient.DownloadAsync(_client, file))
            {
                var current = await (await _client.GetAsync($"/fhir/{type}/{exported.Id}")).ReadAsAsync<Resource>();
                Assert.True(current.IsExactly(exported), $"{type}/{exported.Id} differs from the current version");
            }
        }
    }

    [Fact]
    public async Task Writes_after_the_kick_off_are_not_in_the_export()
    {
        await ExportData.PatientsAsync(_client, "before");
        var status = await ExportClient.StartAsync(_client, "/fhir/$export?_type=Patient");
        await Task.Delay(10);
        await ExportData.PatientsAsync(_client, "after");

        var manifest = await ExportClient.ManifestAsync(_client, status);
        var patients = await ExportClient.DownloadAsync(_client, ExportClient.Outputs(manifest)["Patient"].Url);

        Assert.Equal(["before"], patients.Select(p => p.Id));
        Assert.True(DateTimeOffset.Parse(manifest.GetProperty("transactionTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            >= patients[0].Meta!.LastUpdated);
    }

    [Fact]
    public async Task Without_type_a_system_export_holds_every_type_with_data()
    {
        await ClinicAsync();

        var export = await ExportClient.ExportAsync(_client, "/fhir/$export");

        Assert.Equal(["a", "b", "c"], ExportClient.Ids(export, "Patient").Order());
        Assert.Contains("doc", ExportClient.Ids(export, "Practitioner"));
        Assert.Contains("Questionnaire", export.Keys); // the shared catalog this clinic reads
    }

    [Fact]
    public async Task Patient_export_holds_the_patient_compartment_only()
    {
        await ClinicAsync();
        await ExportData.PutAsync(_client, new Observation { Id = "no-patient", Status = ObservationStatus.Final, Code = new CodeableConcept(ExportData.Loinc, "x") });

        var export = await ExportClient.ExportAsync(_client, "/fhir/Patient/$export");

        Assert.Equal(["a", "b", "c"], ExportClient.Ids(export, "Patient").Order());
        Assert.Equal(["obs-a", "obs-b", "obs-c-by-a"], ExportClient.Ids(export, "Observation").Order());
        Assert.DoesNotContain("Practitioner", export.Keys);
        Assert.DoesNotContain("Questionnaire", export.Keys);
    }

    [Fact]
    public async Task Group_export_holds_the_compartments_of_its_members()
    {
        await ClinicAsync();
        await ExportData.PutAsync(_client, ExportData.Group("cohort", "a"));

        var export = await ExportClient.ExportAsync(_client, "/fhir/Group/cohort/$export");

        Assert.Equal(["a"], ExportClient.Ids(export, "Patient"));
        // obs-c-by-a is in a's compartment through performer, as the R4 CompartmentDefinition says.
        Assert.Equal(["obs-a", "obs-c-by-a"], ExportClient.Ids(export, "Observation").Order());
        Assert.Equal(["cohort"], ExportClient.Ids(export, "Group"));
    }

    [Fact]
    public async Task Group_export_of_an_unknown_group_is_404()
    {
        using var response = await ExportClient.KickOffAsync(_client, "/fhir/Group/nobody/$export");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await ExportJobRows.CountAsync(_app.DatabasePath));
    }

    [Fact]
    public async Task Since_keeps_only_resources_changed_after_it()
    {
        await ExportData.PatientsAsync(_client, "old");
        await Task.Delay(20);
        var since = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(20);
        await ExportData.PatientsAsync(_client, "new");

        var export = await ExportClient.ExportAsync(_client, $"/fhir/$export?_type=Patient&_since={Uri.EscapeDataString(since)}");

        Assert.Equal(["new"], ExportClient.Ids(export, "Patient"));
    }

    [Fact]
    public async Task Type_filter_runs_through_the_search_engine_and_or_combines()
    {
        await ClinicAsync();
        var filter = Uri.EscapeDataString($"Observation?code={ExportData.Loinc}|other,Patient?_id=a");
        var export = await ExportClient.ExportAsync(_client, $"/fhir/$export?_type=Observation,Patient&_typeFilter={filter}&_typeFilter={Uri.EscapeDataString("Patient?_id=c")}");

        Assert.Equal(["obs-b"], ExportClient.Ids(export, "Observation"));
        Assert.Equal(["a", "c"], ExportClient.Ids(export, "Patient").Order());
    }

    [Theory]
    [InlineData("_typeFilter=Observation%3Fdate%3Dnot-a-date", "date")]
    [InlineData("_typeFilter=Observation", "_typeFilter")]
    [InlineData("_typeFilter=Observation%3F_count%3D5", "_count")]
    [InlineData("_typeFilter=Observation%3Fnonsense%3D1", "nonsense")]
    [InlineData("_type=Nonsense", "Nonsense")]
    [InlineData("_since=2026-01-01", "_since")]
    [InlineData("_outputFormat=application/json", "_outputFormat")]
    [InlineData("_elements=nonsense", "nonsense")]
    [InlineData("patient=Patient/a", "patient")]
    [InlineData("includeAssociatedData=LatestProvenanceResources", "includeAssociatedData")]
    public async Task Unsupported_or_malformed_parameters_are_400(string query, string named)
    {
        using var response = await ExportClient.KickOffAsync(_client, $"/fhir/$export?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        Assert.Contains(named, outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(0, await ExportJobRows.CountAsync(_app.DatabasePath));
    }

    [Fact]
    public async Task Lenient_handling_ignores_unsupported_parameters_and_reports_them_in_the_error_file()
    {
        await ClinicAsync();
        using var kickOff = await ExportClient.KickOffAsync(_client, "/fhir/$export?_type=Patient,Nonsense&patient=Patient/a", lenient: true);
        var status = ExportClient.Accepted(kickOff);
        var accepted = await kickOff.ReadAsAsync<OperationOutcome>();
        Assert.Equal(2, accepted.Issue.Count(i => i.Severity == OperationOutcome.IssueSeverity.Warning));

        var manifest = await ExportClient.ManifestAsync(_client, status);

        Assert.Equal(3, ExportClient.Outputs(manifest)["Patient"].Count);
        var error = ExportClient.Outputs(manifest, "error");
        Assert.Equal(2, error["OperationOutcome"].Count);
        var outcomes = await ExportClient.DownloadAsync(_client, error["OperationOutcome"].Url);
        Assert.Contains(outcomes.Cast<OperationOutcome>(), o => o.Issue[0].Diagnostics!.Contains("'patient'", StringComparison.Ordinal));
        Assert.Contains(outcomes.Cast<OperationOutcome>(), o => o.Issue[0].Diagnostics!.Contains("Nonsense", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ndjson")]
    [InlineData("application/ndjson")]
    [InlineData("application/fhir+ndjson")]
    public async Task Each_ndjson_output_format_is_accepted(string format)
    {
        await ExportData.PatientsAsync(_client, "a");

        var export = await ExportClient.ExportAsync(_client, $"/fhir/$export?_type=Patient&_outputFormat={Uri.EscapeDataString(format)}");

        Assert.Equal(["a"], ExportClient.Ids(export, "Patient"));
    }

    [Fact]
    public async Task Elements_trims_resources_and_marks_them_subsetted()
    {
        await ClinicAsync();

        var export = await ExportClient.ExportAsync(_client, "/fhir/$export?_type=Patient,Observation&_elements=Patient.identifier,subject");

        var patient = Assert.IsType<Patient>(export["Patient"][0]);
        Assert.NotEmpty(patient.Identifier);
        Assert.Empty(patient.Name);
        Assert.Contains(patient.Meta!.Tag, t => t.Code == "SUBSETTED");
        var observation = Assert.IsType<Observation>(export["Observation"][0]);
        Assert.NotNull(observation.Subject);
        Assert.Null(observation.Value);
        Assert.NotNull(observation.Code); // mandatory elements stay
    }

    [Fact]
    public async Task Polling_a_running_export_answers_202_with_progress_and_retry_after()
    {
        var gate = new HeldExportSource.Gate();
        using var app = new FhirApplication().With("Export:Folder", _folder).With("Export:PageSize", "1");
        using var held = app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => HeldExportSource.Install(services, gate)));
        using var client = held.CreateClient();
        await ExportData.PatientsAsync(client, [.. Enumerable.Range(0, 150).Select(i => $"p{i}")]);

        var status = await ExportClient.StartAsync(client, "/fhir/$export?_type=Patient");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Volatile.Read(ref gate.Pages) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        using var poll = await client.GetAsync(status);
        gate.Released.SetResult();

        Assert.Equal(HttpStatusCode.Accepted, poll.StatusCode);
        Assert.Matches(@"^type 1 of 1; \d+ resources written$", poll.Headers.GetValues("X-Progress").Single());
        Assert.NotNull(poll.Headers.RetryAfter);
        Assert.Equal(150, ExportClient.Outputs(await ExportClient.ManifestAsync(client, status))["Patient"].Count);
    }

    [Fact]
    public async Task Delete_cancels_the_job_and_removes_its_files()
    {
        await ClinicAsync();
        var status = await ExportClient.StartAsync(_client, "/fhir/$export?_type=Patient,Observation");
        await ExportClient.ManifestAsync(_client, status);
        Assert.Equal(1, JobFolders());

        using var cancel = await _client.DeleteAsync(status);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(0, JobFolders());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(status)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"{status}/files/Patient.ndjson")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync(status)).StatusCode);
    }

    [Fact]
    public async Task Files_expire_after_the_retention_and_the_job_is_forgotten()
    {
        using var app = new FhirApplication().With("Export:Folder", _folder).With("Export:RetentionSeconds", "1").With("Export:PollMilliseconds", "100");
        using var client = app.CreateClient();
        await ExportData.PatientsAsync(client, "a");
        var status = await ExportClient.StartAsync(client, "/fhir/$export?_type=Patient");
        var manifest = await ExportClient.ManifestAsync(client, status);
        var file = ExportClient.Outputs(manifest)["Patient"].Url;

        // The cleaner deletes the files first, then forgets the job.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((JobFolders() > 0 || await ExportJobRows.CountAsync(app.DatabasePath) > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, JobFolders());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(status)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(file)).StatusCode);
        Assert.Equal(0, await ExportJobRows.CountAsync(app.DatabasePath));
    }

    /// <summary>The writer copies the stored UTF-8 bytes to the file: text outside ASCII must arrive unchanged.</summary>
    [Fact]
    public async Task Text_outside_ascii_is_exported_as_stored()
    {
        const string family = "Ñandú-山田 👩‍⚕️";
        await ExportData.PutAsync(_client, new Patient { Id = "utf8", Name = [new HumanName { Family = family, Given = ["Zoë"] }] });
        var status = await ExportClient.StartAsync(_client, "/fhir/$export?_type=Patient");
        var file = ExportClient.Outputs(await ExportClient.ManifestAsync(_client, status))["Patient"].Url;

        using var request = new HttpRequestMessage(HttpMethod.Get, file);
        request.Headers.Add("Accept", "application/fhir+ndjson");
        using var response = await _client.SendAsync(request);
        var line = Assert.Single((await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var exported = Assert.IsType<Patient>(FhirSerialization.ParseStored(line));
        var current = await (await _client.GetAsync("/fhir/Patient/utf8")).ReadAsAsync<Patient>();

        Assert.Equal(family, exported.Name[0].Family);
        Assert.True(current.IsExactly(exported));
    }

    [Fact]
    public async Task A_file_name_outside_the_manifest_is_404()
    {
        await ClinicAsync();
        var status = await ExportClient.StartAsync(_client, "/fhir/$export?_type=Patient");
        await ExportClient.ManifestAsync(_client, status);

        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"{status}/files/Observation.ndjson")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"{status}/files/..%2F..%2Ffhir.db")).StatusCode);
    }

    [Fact]
    public async Task The_kick_off_is_audited()
    {
        var status = await ExportClient.StartAsync(_client, "/fhir/$export?_type=Patient");
        await ExportClient.ManifestAsync(_client, status);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        Bundle audits;
        do
        {
            await Task.Delay(100);
            audits = await (await _client.GetAsync("/fhir/AuditEvent?_count=100")).ReadAsAsync<Bundle>();
        }
        while (!audits.Entry.Any(e => IsExport(e.Resource)) && DateTime.UtcNow < deadline);

        Assert.Contains(audits.Entry, e => IsExport(e.Resource));

        // BALP: an operation is subtype "operation", action E; its query keeps parameter names only.
        static bool IsExport(Resource? resource) =>
            resource is AuditEvent audit
            && audit.Subtype.Any(s => s.Code == "operation")
            && audit.Action == AuditEvent.AuditEventAction.E
            && audit.Entity.Any(e => e.Query is not null && System.Text.Encoding.UTF8.GetString(e.Query) == "?_type");
    }
}
