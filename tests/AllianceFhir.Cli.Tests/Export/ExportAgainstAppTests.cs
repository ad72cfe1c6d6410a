using System.Net.Http.Headers;
using System.Text.Json;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Security;
using AllianceFhir.Cli.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Cli.Tests.Export;

/// <summary>
/// <c>alliancefhir export</c> against the app's own Bulk Data <c>$export</c> (a fresh app and database per test, so a
/// system export holds exactly what the test stored): what lands on disk, the manifest, the progress and the exit code.
/// </summary>
public sealed class ExportAgainstAppTests : IDisposable
{
    private const string Server = "http://localhost/fhir";
    private readonly string _jobs = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", Guid.NewGuid().ToString("N"));
    private readonly TempFolder _out = new();
    private readonly IdentityProvider _idp = new();
    private FhirApplication? _app;

    public void Dispose()
    {
        _app?.Dispose();
        _idp.Dispose();
        _out.Dispose();
        if (Directory.Exists(_jobs))
        {
            Directory.Delete(_jobs, recursive: true);
        }
    }

    private FhirApplication Start(bool protect = false)
    {
        var app = new FhirApplication().With("Export:Folder", _jobs).With("Export:PollMilliseconds", "100");
        _app = protect ? _idp.Protect(app) : app;
        return _app;
    }

    private Task<CliRun> ExportAsync(bool interactive, params string[] args) =>
        CliRun.RunAsync(() => _app!.Server.CreateHandler(), interactive, ["export", "--server", Server, "--out", _out.Path, .. args]);

    /// <summary>Patients with one scored SRS response each; returns "Type/id" of everything stored for each patient.</summary>
    private static async Task<Dictionary<string, List<string>>> ClinicAsync(HttpClient client, params string[] patients)
    {
        var srs = await InstrumentResponses.FetchAsync(client, "srs");
        var stored = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var patient in patients)
        {
            await InstrumentResponses.StoreSubjectAsync(client, patient);
            using var response = await client.PostAsync("/fhir/QuestionnaireResponse", InstrumentResponses.Decimals(srs, patient, 9m, 8m, 7m, 6m));
            Assert.True(response.IsSuccessStatusCode, $"POST QuestionnaireResponse answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var id = response.Headers.Location!.OriginalString.Split('/')[^3];
            stored[patient] = [$"Patient/{patient}", $"QuestionnaireResponse/{id}"];
        }

        return stored;
    }

    /// <summary>Every resource in the downloaded NDJSON files, as "Type/id", with the file it came from.</summary>
    private List<(string File, string Reference)> Downloaded() =>
    [
        .. Directory.GetFiles(_out.Path, "*.ndjson", SearchOption.AllDirectories)
            .SelectMany(path => File.ReadAllLines(path).Where(l => l.Length > 0)
                .Select(line => FhirSerialization.JsonDeserializer.DeserializeResource(line))
                .Select(r => (Path.GetRelativePath(_out.Path, path), $"{r.TypeName}/{r.Id}"))),
    ];

    private List<string> FilesOnDisk() =>
        [.. Directory.GetFiles(_out.Path, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(_out.Path, p)).Order(StringComparer.Ordinal)];

    private JsonElement SavedManifest() => JsonDocument.Parse(File.ReadAllText(Path.Combine(_out.Path, "manifest.json"))).RootElement;

    [Fact]
    public async Task System_export_with_types_downloads_exactly_the_stored_resources_and_the_manifest()
    {
        using var client = Start().CreateClient();
        var stored = await ClinicAsync(client, "pa", "pb");

        var run = await ExportAsync(false, "--type", "Patient,QuestionnaireResponse");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["Patient.ndjson", "QuestionnaireResponse.ndjson", "manifest.json"], FilesOnDisk());
        var downloaded = Downloaded();
        Assert.Equal(stored.Values.SelectMany(r => r).Order(StringComparer.Ordinal), downloaded.Select(d => d.Reference).Order(StringComparer.Ordinal));
        Assert.All(downloaded, d => Assert.Equal(d.Reference.Split('/')[0] + ".ndjson", d.File));

        var manifest = SavedManifest();
        Assert.True(DateTimeOffset.TryParse(manifest.GetProperty("transactionTime").GetString(), out _));
        Assert.StartsWith($"{Server}/$export?_type=", manifest.GetProperty("request").GetString(), StringComparison.Ordinal);
        Assert.False(manifest.GetProperty("requiresAccessToken").GetBoolean());
        Assert.Equal(
            [("Patient", 2L), ("QuestionnaireResponse", 2L)],
            manifest.GetProperty("output").EnumerateArray().Select(o => (o.GetProperty("type").GetString()!, o.GetProperty("count").GetInt64())));

        // Plain progress lines: the start, the server's X-Progress or the download, and the summary.
        Assert.Contains("export: 0 resources, ", run.Output, StringComparison.Ordinal);
        Assert.Contains("(downloaded QuestionnaireResponse.ndjson)", run.Output, StringComparison.Ordinal);
        Assert.Contains("Patient: 1 file(s), 2 resources", run.Output, StringComparison.Ordinal);
        Assert.Contains($"4 resources in 2 file(s) under {_out.Path}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_export_downloads_only_the_members_resources_with_a_live_progress_bar()
    {
        using var client = Start().CreateClient();
        var stored = await ClinicAsync(client, "member", "outsider");
        var group = new Group { Id = "clinic-a", Type = Group.GroupType.Person, Actual = true };
        group.Member.Add(new Group.MemberComponent { Entity = new ResourceReference("Patient/member") });
        using (var put = await client.PutAsync("/fhir/Group/clinic-a", group))
        {
            Assert.True(put.IsSuccessStatusCode, $"PUT Group answered {(int)put.StatusCode}");
        }

        var run = await ExportAsync(true, "--group", "clinic-a", "--type", "Patient,QuestionnaireResponse");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(stored["member"].Order(StringComparer.Ordinal), Downloaded().Select(d => d.Reference).Order(StringComparer.Ordinal));
        Assert.StartsWith($"{Server}/Group/clinic-a/$export", SavedManifest().GetProperty("request").GetString(), StringComparison.Ordinal);
        Assert.Contains("100%", run.Output, StringComparison.Ordinal);
        Assert.Contains("resources/s", run.Output, StringComparison.Ordinal);
        Assert.Contains("2 resources in 2 file(s)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_saved_transaction_time_as_since_exports_only_what_changed_after_it()
    {
        using var client = Start().CreateClient();
        await ClinicAsync(client, "before");
        var first = await ExportAsync(false, "--type", "Patient");
        Assert.True(first.ExitCode == 0, first.Output);
        var since = SavedManifest().GetProperty("transactionTime").GetString()!;
        Assert.Contains($"as of {since} (use it as --since next time)", first.Output, StringComparison.Ordinal);
        await Patients.StoreAsync(client, "after");
        Directory.Delete(_out.Path, recursive: true);

        var next = await ExportAsync(false, "--type", "Patient", "--since", since);

        Assert.True(next.ExitCode == 0, next.Output);
        Assert.Equal(["Patient/after"], Downloaded().Select(d => d.Reference));
    }

    [Fact]
    public async Task An_unknown_group_exits_2_with_the_servers_outcome_and_writes_nothing()
    {
        Start();

        var run = await ExportAsync(false, "--group", "nobody");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("404", run.Output, StringComparison.Ordinal);
        Assert.Contains("Group/nobody is not known", run.Output, StringComparison.Ordinal);
        Assert.Empty(FilesOnDisk());
    }

    [Fact]
    public async Task With_tokens_the_manifest_requires_one_and_the_files_are_downloaded_with_it()
    {
        using var admin = Start(protect: true).CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _idp.Token("system/*.*"));
        var stored = await ClinicAsync(admin, "pa");

        var run = await ExportAsync(false, "--type", "Patient,QuestionnaireResponse", "--token", _idp.Token("system/*.rs"));

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(SavedManifest().GetProperty("requiresAccessToken").GetBoolean());
        Assert.Equal(stored["pa"].Order(StringComparer.Ordinal), Downloaded().Select(d => d.Reference).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_a_token_a_protected_server_refuses_and_nothing_is_written()
    {
        Start(protect: true);

        var run = await ExportAsync(false, "--type", "Patient");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("401", run.Output, StringComparison.Ordinal);
        Assert.Empty(FilesOnDisk());
    }
}
