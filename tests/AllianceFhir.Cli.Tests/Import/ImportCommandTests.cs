using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Cli.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using MiniExcelLibs;

namespace AllianceFhir.Cli.Tests.Import;

/// <summary><c>alliancefhir import</c> against the real app: what arrives, the reports beside the inputs, the exit codes.</summary>
public sealed class ImportCommandTests(FhirApplication app) : IClassFixture<FhirApplication>, IDisposable
{
    private const string Server = "http://localhost/fhir";
    private readonly TempFolder _files = new();

    public void Dispose() => _files.Dispose();

    private Task<CliRun> ImportAsync(bool interactive, params string[] args) =>
        CliRun.RunAsync(() => app.Server.CreateHandler(), interactive, ["import", .. args, "--server", Server]);

    private static string Line(Resource resource) => FhirSerialization.JsonSerializer.SerializeToString(resource);

    private static Patient NewPatient(string system, string value) =>
        new() { Id = Guid.NewGuid().ToString("N"), Identifier = [new Identifier(system, value)] };

    private async Task<HttpStatusCode> ReadStatusAsync(string reference)
    {
        using var response = await app.CreateClient().GetAsync($"/fhir/{reference}");
        return response.StatusCode;
    }

    private async Task<Bundle> SearchAsync(string query)
    {
        using var response = await app.CreateClient().GetAsync($"/fhir/{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsAsync<Bundle>();
    }

    [Fact]
    public async Task Ndjson_lines_all_imported_exit_0_and_leave_no_report()
    {
        var system = Samples.UniqueSystem();
        var patients = Enumerable.Range(1, 3).Select(i => NewPatient(system, $"P{i}")).ToList();
        var path = _files.Write("patients.ndjson", string.Join('\n', patients.Select(Line)) + "\n");

        var run = await ImportAsync(false, path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3 imported, none refused", run.Output, StringComparison.Ordinal);
        foreach (var patient in patients)
        {
            Assert.Equal(HttpStatusCode.OK, await ReadStatusAsync($"Patient/{patient.Id}"));
        }

        Assert.False(File.Exists(path + ".errors.ndjson"));
    }

    [Fact]
    public async Task Ndjson_refused_line_goes_to_the_report_beside_the_input_and_exits_1()
    {
        var system = Samples.UniqueSystem();
        var good = NewPatient(system, "G1");
        var bad = Guid.NewGuid().ToString("N");
        var path = _files.Write("mixed.ndjson",
            Line(good) + "\n" + $"{{\"resourceType\":\"Patient\",\"id\":\"{bad}\",\"birthDate\":\"2026-13-01\"}}" + "\n");

        var run = await ImportAsync(false, path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("1 imported, 1 refused", run.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await ReadStatusAsync($"Patient/{good.Id}"));
        Assert.Equal(HttpStatusCode.NotFound, await ReadStatusAsync($"Patient/{bad}"));
        var report = File.ReadAllLines(path + ".errors.ndjson").Where(l => l.Length > 0).ToList();
        var outcome = Assert.IsType<OperationOutcome>(FhirSerialization.JsonDeserializer.DeserializeResource(Assert.Single(report)));
        var issue = Assert.Single(outcome.Issue);
        Assert.StartsWith("line 2", issue.Details!.Text, StringComparison.Ordinal);
        Assert.Contains("Patient.birthDate", issue.Expression);
    }

    [Fact]
    public async Task Csv_sheet_becomes_scored_responses_and_exits_0()
    {
        var system = Samples.UniqueSystem();
        var path = _files.Write("srs.csv", Samples.Sheet("srs", system));

        var run = await ImportAsync(false, path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("2 imported, none refused", run.Output, StringComparison.Ordinal);
        var patients = await SearchAsync($"Patient?identifier={Uri.EscapeDataString(system)}|");
        Assert.Equal(2, patients.Entry.Count);
        foreach (var patient in patients.Entry)
        {
            var responses = await SearchAsync($"QuestionnaireResponse?subject=Patient/{patient.Resource!.Id}");
            var response = Assert.IsType<QuestionnaireResponse>(Assert.Single(responses.Entry).Resource);
            // Scored by the server: the total is there although no sheet column holds it.
            Assert.Contains(response.Item, i => i.LinkId == "total" && i.Answer.Count == 1);
        }

        Assert.False(File.Exists(path + ".errors.csv"));
    }

    [Fact]
    public async Task Xlsx_sheet_is_imported_like_its_csv()
    {
        var system = Samples.UniqueSystem();
        var lines = Samples.Sheet("ors", system).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var headers = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => headers.Zip(l.Split(',')).ToDictionary(p => p.First, p => (object?)p.Second)).ToList();
        var path = Path.Combine(_files.Path, "ors.xlsx");
        await MiniExcel.SaveAsAsync(path, rows);

        var run = await ImportAsync(false, path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, (await SearchAsync($"Patient?identifier={Uri.EscapeDataString(system)}|")).Entry.Count);
    }

    [Fact]
    public async Task Csv_refused_rows_go_to_errors_csv_in_the_servers_words_and_exit_1()
    {
        var system = Samples.UniqueSystem();
        var sheet = "patient_system,patient,date,instrument,1,2,3,4\n"
            + $"{system},OK-1,2026-01-05,srs,8,9,7.5,9\n"
            + $"{system},BAD-1,2026-01-05,srs,8,9,11,9\n";
        var path = _files.Write("sheet.csv", sheet);

        var run = await ImportAsync(false, path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("1 imported, 1 refused", run.Output, StringComparison.Ordinal);
        var stored = await SearchAsync($"Patient?identifier={Uri.EscapeDataString(system)}|");
        Assert.Equal("OK-1", Assert.Single(stored.Entry).Resource is Patient p ? p.Identifier[0].Value : null);
        // A byte order mark, so spreadsheet programs read the report as UTF-8.
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, File.ReadAllBytes(path + ".errors.csv")[..3]);
        var report = File.ReadAllLines(path + ".errors.csv");
        Assert.Equal("row,column,message,diagnostics", report[0]);
        Assert.Equal(
            "3,3,11 is outside the range of item 3 (0.0 to 10.0),\"Row 3, column '3': 11 is outside the range of item 3 (0.0 to 10.0)\"",
            Assert.Single(report.Skip(1)));
    }

    [Fact]
    public async Task A_clean_rerun_removes_the_report_of_an_earlier_run()
    {
        var system = Samples.UniqueSystem();
        var path = _files.Write("rerun.csv", "patient_system,patient,date,instrument,1,2,3,4\n" + $"{system},R-1,2026-01-05,srs,8,9,11,9\n");
        Assert.Equal(1, (await ImportAsync(false, path)).ExitCode);
        Assert.True(File.Exists(path + ".errors.csv"));

        File.WriteAllText(path, "patient_system,patient,date,instrument,1,2,3,4\n" + $"{system},R-1,2026-01-05,srs,8,9,10,9\n");
        var run = await ImportAsync(false, path);

        Assert.Equal(0, run.ExitCode);
        Assert.False(File.Exists(path + ".errors.csv"));
    }

    [Fact]
    public async Task Dry_run_checks_a_sheet_and_stores_nothing()
    {
        var system = Samples.UniqueSystem();
        var path = _files.Write("wai-sr.csv", Samples.Sheet("wai-sr", system));

        var run = await ImportAsync(false, path, "--dry-run");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("2 valid, none refused", run.Output, StringComparison.Ordinal);
        Assert.Empty((await SearchAsync($"Patient?identifier={Uri.EscapeDataString(system)}|")).Entry);
    }

    [Fact]
    public async Task A_folder_is_imported_in_name_order_so_patients_can_precede_their_responses()
    {
        var system = Samples.UniqueSystem();
        var patient = NewPatient(system, "F1");
        var response = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "8867-4"),
            Subject = new ResourceReference($"Patient/{patient.Id}"),
            Id = Guid.NewGuid().ToString("N"),
        };
        _files.Write("2-observations.ndjson", Line(response) + "\n");
        _files.Write("1-patients.ndjson", Line(patient) + "\n");

        var run = await ImportAsync(false, _files.Path);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(HttpStatusCode.OK, await ReadStatusAsync($"Observation/{response.Id}"));
        Assert.True(run.Output.IndexOf("1-patients.ndjson", StringComparison.Ordinal) < run.Output.IndexOf("2-observations.ndjson", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plain_output_reports_progress_as_lines_with_rate_and_refused_count()
    {
        var system = Samples.UniqueSystem();
        var path = _files.Write("plain.ndjson", Line(NewPatient(system, "L1")) + "\n" + "{\"resourceType\":\"Nope\"}\n");

        var run = await ImportAsync(false, path);

        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"plain\.ndjson: 2/2 lines, [\d,]+ lines/s, 1 refused", run.Output);
        // Plain lines only: no cursor movement or colour codes in a log file.
        Assert.DoesNotContain("\u001b[", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interactive_console_shows_a_live_progress_bar_with_rate_and_refused_count()
    {
        var system = Samples.UniqueSystem();
        var path = _files.Write("live.ndjson", Line(NewPatient(system, "V1")) + "\n" + Line(NewPatient(system, "V2")) + "\n");

        var run = await ImportAsync(true, path);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("live.ndjson", run.Output, StringComparison.Ordinal);
        Assert.Contains("100%", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"[\d,]+ lines/s", run.Output);
        Assert.Contains("0 refused", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_answers_with_an_error_exits_2_with_its_reason()
    {
        var path = _files.Write("wrong.csv", "no,header,here\n1,2,3\n");

        var run = await ImportAsync(false, path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("400", run.Output, StringComparison.Ordinal);
        Assert.Contains("The header lacks the column(s)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_exits_2()
    {
        var path = _files.Write("any.csv", Samples.Sheet("srs", Samples.UniqueSystem()));

        // Real sockets to a loopback port nothing listens on.
        var run = await CliRun.RunAsync(null, false, "import", path, "--server", "http://127.0.0.1:1/fhir");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot reach", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("import")]
    [InlineData("import", "--server", Server)]
    [InlineData("import", "missing.ndjson", "--server", "not-a-url")]
    [InlineData("frobnicate")]
    public async Task A_bad_command_line_exits_2(params string[] args)
    {
        var run = await CliRun.RunAsync(() => app.Server.CreateHandler(), false, args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error:", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_input_exits_2_and_sends_nothing()
    {
        var run = await ImportAsync(false, Path.Combine(_files.Path, "nothing-here.ndjson"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no such file or folder", run.Output, StringComparison.Ordinal);
    }
}
