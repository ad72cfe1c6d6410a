using System.Net;
using System.Text;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Cli.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Cli.Tests.Validate;

/// <summary><c>alliancefhir validate</c>: offline, no server; the same verdicts and messages the server gives.</summary>
public sealed class ValidateCommandTests(FhirApplication app) : IClassFixture<FhirApplication>, IDisposable
{
    private readonly TempFolder _files = new();

    public void Dispose() => _files.Dispose();

    // No handler at all: a request would go to real sockets, and validate has no server to send it to.
    private static Task<CliRun> ValidateAsync(params string[] args) => CliRun.RunAsync(null, false, ["validate", .. args]);

    [Theory]
    [InlineData("wai-sr")]
    [InlineData("srs")]
    [InlineData("ors")]
    [InlineData("haq-ii")]
    public async Task Every_shipped_sample_is_valid(string sample)
    {
        var run = await ValidateAsync(Path.Combine(Samples.Folder, sample + ".csv"));

        Assert.Equal(0, run.ExitCode);
        Assert.EndsWith(": valid", run.Output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_sheet_exits_1_with_the_messages_the_server_gives_for_it()
    {
        var system = Samples.UniqueSystem();
        var sheet = "patient_system,patient,date,time,instrument,1,2,3,4,5,6,7,8,9,10,11,12\n"
            + $"{system},A,2026-02-30,,wai-sr,4,4,3,5,4,4,3,4,5,4,4,4\n"
            + $"{system},B,2026-01-05,25:00,wai-sr,4,4,3,5,4,4,3,4,5,4,4,4\n"
            + $"{system},C,2026-01-05,,nope,4,4,3,5,4,4,3,4,5,4,4,4\n"
            + $"{system},D,2026-01-05,,wai-sr,9,often,3,5,4,4,3,4,5,4,4,\n"
            + $"{system},E,2026-01-06,,wai-sr,4,4,3,5,4,4,3,4,5,4,4,4\n"
            + $"{system},E,2026-01-06,,wai-sr,4,4,3,5,4,4,3,4,5,4,4,4\n";
        var path = _files.Write("bad.csv", sheet);

        var run = await ValidateAsync(path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("5 row(s) would be refused", run.Output, StringComparison.Ordinal);
        var offline = run.Output.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.StartsWith("Row ", StringComparison.Ordinal)).ToList();
        Assert.Equal(await ServerDiagnosticsAsync(sheet), offline);
    }

    [Fact]
    public async Task A_sheet_without_the_required_columns_is_refused_whole()
    {
        var run = await ValidateAsync(_files.Write("header.csv", "patient,date\nA,2026-01-01\n"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the whole file would be refused (400): The header lacks the column(s) 'patient_system', 'instrument'", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_patient_system_stands_in_for_the_column_as_on_the_server()
    {
        var path = _files.Write("nosystem.csv", "patient,date,instrument,1,2,3,4\nA,2026-01-05,srs,8,9,7.5,9\n");

        Assert.Equal(1, (await ValidateAsync(path)).ExitCode);
        Assert.Equal(0, (await ValidateAsync(path, "--patient-system", "http://clinic.example.org/mrn")).ExitCode);
    }

    [Fact]
    public async Task Ndjson_lines_are_checked_against_the_catalog_with_the_import_outcomes()
    {
        var lines = new[]
        {
            "{\"resourceType\":\"Patient\",\"id\":\"ok\"}",
            "{\"resourceType\":\"Patient\",\"birthDate\":\"2026-13-01\"}",
            "",
            "{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"completed\",\"questionnaire\":\"http://alliancefhir.org/fhir/Questionnaire/srs|1.0.0\","
                + "\"item\":[{\"linkId\":\"1\",\"answer\":[{\"valueDecimal\":12}]}]}",
            "{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"completed\",\"questionnaire\":\"http://example.org/Questionnaire/unknown\"}",
            "{\"resourceType\":\"AuditEvent\",\"type\":{\"code\":\"rest\"},\"recorded\":\"2026-01-01T00:00:00Z\",\"agent\":[{\"requestor\":true}],"
                + "\"source\":{\"observer\":{\"display\":\"x\"}}}",
            "not json",
        };
        var path = _files.Write("lines.ndjson", string.Join('\n', lines) + "\n");

        var run = await ValidateAsync(path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("5 line(s) would be refused", run.Output, StringComparison.Ordinal);
        Assert.Contains("line 2: refused as a REST write would be, with HTTP 400", run.Output, StringComparison.Ordinal);
        Assert.Contains("line 4 (QuestionnaireResponse): refused as a REST write would be, with HTTP 422", run.Output, StringComparison.Ordinal);
        Assert.Contains("Questionnaire 'http://example.org/Questionnaire/unknown' is not known to this server", run.Output, StringComparison.Ordinal);
        Assert.Contains("line 6 (AuditEvent)", run.Output, StringComparison.Ordinal);
        Assert.Contains("line 7: refused as a REST write would be, with HTTP 400", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("line 1 ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_ndjson_file_exits_0()
    {
        var qr = "{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"completed\",\"questionnaire\":\"http://alliancefhir.org/fhir/Questionnaire/srs\","
            + "\"item\":[{\"linkId\":\"1\",\"answer\":[{\"valueDecimal\":8}]},{\"linkId\":\"2\",\"answer\":[{\"valueDecimal\":9}]},"
            + "{\"linkId\":\"3\",\"answer\":[{\"valueDecimal\":7.5}]},{\"linkId\":\"4\",\"answer\":[{\"valueDecimal\":9}]}]}";
        var run = await ValidateAsync(_files.Write("good.ndjson", qr + "\n"));

        Assert.Equal(0, run.ExitCode);
    }

    [Theory]
    [InlineData("missing.csv")]
    [InlineData("notes.txt")]
    public async Task A_file_it_cannot_check_exits_2(string name)
    {
        var path = name == "notes.txt" ? _files.Write(name, "hello") : Path.Combine(_files.Path, name);

        Assert.Equal(2, (await ValidateAsync(path)).ExitCode);
    }

    /// <summary>The diagnostics of the server's dry run of the same sheet, in order.</summary>
    private async Task<List<string>> ServerDiagnosticsAsync(string sheet)
    {
        using var content = new StringContent(sheet, Encoding.UTF8, "text/csv");
        using var response = await app.CreateClient().PostAsync("/fhir/QuestionnaireResponse/$import-spreadsheet?dryRun=true", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.ReadAsAsync<Parameters>();
        var outcome = Assert.IsType<OperationOutcome>(report.Parameter.Single(p => p.Name == "outcome").Resource);
        return [.. outcome.Issue.Select(i => i.Diagnostics ?? string.Empty)];
    }
}
