using AllianceFhir.Cli.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace AllianceFhir.Cli.Tests.Export;

/// <summary>
/// <c>alliancefhir export</c> against a server that follows Bulk Data Access 2.0 (WireMock), for what the app's own
/// $export never does (several files per type, deleted files, 429 and transient errors); the app is in
/// <see cref="ExportAgainstAppTests"/>.
/// </summary>
public sealed class ExportCommandTests : IDisposable
{
    private const string PatientLines = "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n{\"resourceType\":\"Patient\",\"id\":\"b\"}\n";
    private const string ResponseLines = "{\"resourceType\":\"QuestionnaireResponse\",\"id\":\"r\",\"status\":\"completed\"}\n";
    private readonly BulkDataServer _bulk = new();
    private readonly TempFolder _out = new();

    public void Dispose()
    {
        _bulk.Dispose();
        _out.Dispose();
    }

    private Task<CliRun> ExportAsync(bool interactive, params string[] args) =>
        CliRun.RunAsync(null, interactive, ["export", "--server", _bulk.FhirBase, "--out", _out.Path, .. args]);

    private string Manifest(bool requiresAccessToken, string errors = "") =>
        $$"""
        {"transactionTime":"2026-11-30T12:00:00Z","request":"{{_bulk.FhirBase}}/$export","requiresAccessToken":{{(requiresAccessToken ? "true" : "false")}},
         "output":[{"type":"Patient","url":"{{_bulk.BaseUrl}}/files/Patient-1.ndjson","count":2},
                   {"type":"QuestionnaireResponse","url":"{{_bulk.BaseUrl}}/files/QR-1.ndjson","count":1},
                   {"type":"QuestionnaireResponse","url":"{{_bulk.BaseUrl}}/files/QR-2.ndjson","count":1}],
         "deleted":[{"type":"Bundle","url":"{{_bulk.BaseUrl}}/files/deleted.ndjson"}],
         "error":[{{errors}}]}
        """;

    private void ServeFiles()
    {
        _bulk.Serves("/files/Patient-1.ndjson", PatientLines);
        _bulk.Serves("/files/QR-1.ndjson", ResponseLines);
        _bulk.Serves("/files/QR-2.ndjson", ResponseLines.Replace("\"r\"", "\"s\"", StringComparison.Ordinal));
        _bulk.Serves("/files/deleted.ndjson", "{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}\n");
    }

    [Fact]
    public async Task Kicks_off_polls_and_downloads_every_file_then_exits_0()
    {
        _bulk.AcceptsKickOff();
        _bulk.RunsOnceThenCompletes(Manifest(requiresAccessToken: true));
        ServeFiles();

        var run = await ExportAsync(false, "--token", "secret-token", "--type", "Patient,QuestionnaireResponse", "--since", "2026-11-01T00:00:00Z");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(PatientLines, File.ReadAllText(Path.Combine(_out.Path, "Patient.ndjson")));
        Assert.Equal(ResponseLines, File.ReadAllText(Path.Combine(_out.Path, "QuestionnaireResponse.ndjson")));
        Assert.Contains("\"s\"", File.ReadAllText(Path.Combine(_out.Path, "QuestionnaireResponse.2.ndjson")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_out.Path, "deleted", "Bundle.ndjson")));
        Assert.Contains("2026-11-30T12:00:00Z", File.ReadAllText(Path.Combine(_out.Path, "manifest.json")), StringComparison.Ordinal);
        Assert.Contains("4 resources in 4 file(s)", run.Output, StringComparison.Ordinal);

        // The kick-off carried the parameters, the poll showed X-Progress, and the token went with every request.
        var kickOff = Assert.Single(_bulk.Server.LogEntries, e => e.RequestMessage!.Path == "/fhir/$export").RequestMessage!;
        Assert.Equal("Patient,QuestionnaireResponse", kickOff.Query!["_type"].Single());
        Assert.Equal("2026-11-01T00:00:00Z", kickOff.Query["_since"].Single());
        Assert.Contains("Exporting: 50% done", run.Output, StringComparison.Ordinal);
        Assert.Equal(2, _bulk.RequestsTo("/fhir/$export-poll-status/job-1").Count);
        Assert.All(_bulk.RequestsTo("/files/Patient-1.ndjson"), h => Assert.Equal("Bearer secret-token", h["Authorization"].Single()));
    }

    [Fact]
    public async Task Honors_retry_after_between_polls()
    {
        _bulk.AcceptsKickOff();
        _bulk.RunsOnceThenCompletes(Manifest(requiresAccessToken: false));
        ServeFiles();

        await ExportAsync(false);

        var polls = _bulk.Server.LogEntries.Where(e => e.RequestMessage!.Path == "/fhir/$export-poll-status/job-1")
            .Select(e => e.RequestMessage!.DateTime).Order().ToList();
        Assert.Equal(2, polls.Count);
        Assert.True(polls[1] - polls[0] >= TimeSpan.FromSeconds(0.9), $"polled again after {polls[1] - polls[0]}");
    }

    [Fact]
    public async Task Sends_no_token_to_the_files_when_the_manifest_says_none_is_needed()
    {
        _bulk.AcceptsKickOff();
        _bulk.RunsOnceThenCompletes(Manifest(requiresAccessToken: false));
        ServeFiles();

        var run = await ExportAsync(false, "--token", "secret-token");

        Assert.Equal(0, run.ExitCode);
        Assert.All(_bulk.RequestsTo("/files/Patient-1.ndjson"), h => Assert.False(h.ContainsKey("Authorization")));
        Assert.All(_bulk.RequestsTo("/fhir/$export"), h => Assert.Equal("Bearer secret-token", h["Authorization"].Single()));
    }

    [Fact]
    public async Task Error_files_in_the_manifest_are_downloaded_and_exit_1()
    {
        _bulk.AcceptsKickOff();
        _bulk.RunsOnceThenCompletes(Manifest(false, $$"""{"type":"OperationOutcome","url":"{{_bulk.BaseUrl}}/files/errors.ndjson"}"""));
        ServeFiles();
        _bulk.Serves("/files/errors.ndjson", "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"processing\"}]}\n");

        var run = await ExportAsync(false);

        Assert.Equal(1, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(_out.Path, "error", "OperationOutcome.ndjson")));
    }

    [Fact]
    public async Task A_refused_kick_off_exits_2_with_the_servers_outcome()
    {
        _bulk.Server.Given(Request.Create().WithPath("/fhir/$export").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/fhir+json")
                .WithBody("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"not-supported\",\"diagnostics\":\"_type Foo is not a resource type\"}]}"));

        var run = await ExportAsync(false, "--type", "Foo");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("_type Foo is not a resource type", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_out.Path, "manifest.json")));
    }

    [Fact]
    public async Task A_transient_polling_error_is_retried_and_a_fatal_one_exits_2()
    {
        _bulk.AcceptsKickOff();
        const string Status = "/fhir/$export-poll-status/job-1";
        _bulk.Server.Given(Request.Create().WithPath(Status).UsingGet()).InScenario("s").WillSetStateTo("fatal")
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "0").WithHeader("Content-Type", "application/fhir+json")
                .WithBody("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"transient\",\"diagnostics\":\"busy\"}]}"));
        _bulk.Server.Given(Request.Create().WithPath(Status).UsingGet()).InScenario("s").WhenStateIs("fatal")
            .RespondWith(Response.Create().WithStatusCode(500).WithHeader("Content-Type", "application/fhir+json")
                .WithBody("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"fatal\",\"code\":\"exception\",\"diagnostics\":\"the export failed\"}]}"));

        var run = await ExportAsync(false);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(2, _bulk.RequestsTo(Status).Count);
        Assert.Contains("the export failed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_export_kicks_off_at_the_groups_endpoint()
    {
        _bulk.AcceptsKickOff("/fhir/Group/clinic-a/$export");
        _bulk.RunsOnceThenCompletes(Manifest(requiresAccessToken: false));
        ServeFiles();

        var run = await ExportAsync(false, "--group", "clinic-a");

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Interactive_console_shows_the_servers_progress_and_the_download()
    {
        _bulk.AcceptsKickOff();
        _bulk.RunsOnceThenCompletes(Manifest(requiresAccessToken: false), "Exporting: 73% done");
        ServeFiles();

        var run = await ExportAsync(true);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Exporting: 73% done", run.Output, StringComparison.Ordinal);
        Assert.Contains("100%", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--since", "2026-11-01")]
    [InlineData("--since", "yesterday")]
    public async Task A_since_that_is_not_an_instant_exits_2_before_any_request(string option, string value)
    {
        var run = await ExportAsync(false, option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(_bulk.Server.LogEntries);
    }
}
