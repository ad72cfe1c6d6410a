using System.Net;
using System.Text.RegularExpressions;
using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.App;

/// <summary>The clinician view and the clinic's flag list on the open Development server (as <c>dotnet run</c> starts).</summary>
public sealed partial class ClinicianPageTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Patient_page_plots_every_session_with_the_cut_off_and_marks_the_flagged_one()
    {
        const string patient = "view-trend";
        var totals = await ClinicianScenario.SessionsAsync(_client, patient,
            ("2026-10-05T10:00:00Z", [10m, 10m, 9m, 9m]),
            ("2026-10-12T10:00:00Z", [9m, 8m, 8m, 5m]),
            ("2026-10-19T10:00:00Z", [10m, 9m, 9m, 9m]));
        await ClinicianScenario.FlagAsync(_client, patient, totals[1], "SRS total fell below the cut-off of 36: talk about the alliance");

        using var page = await _client.GetAsync($"/app/patients/{patient}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        // The SRS total's trend (the line scores have trends of their own, and the monitoring rules flag them too).
        Assert.Equal(totals, [.. PointRegex().Matches(html).Select(m => m.Groups[1].Value).Where(totals.Contains)]);
        // Marked: the session below the cut-off (the clinician's flag and the rule's); the rule that saw the total fall
        // names the session before it as a cause too. The session whose score resolved the rule's flags is not marked.
        Assert.Equal([totals[0], totals[1]], [.. FlagMarkRegex().Matches(html).Select(m => m.Groups[1].Value).Where(totals.Contains)]);
        Assert.Contains("cut-off 36", html, StringComparison.Ordinal);
        Assert.Contains("Cut-off 36: a score below it means possible alliance concern.", html, StringComparison.Ordinal);
        Assert.Contains("SRS total fell below the cut-off of 36: talk about the alliance", html, StringComparison.Ordinal);
        Assert.Contains("<desc id=\"chart-1-desc\">3 scores from 2026-10-05 to 2026-10-19; latest 37 (no alliance concern indicated); cut-off 36; 2 flagged sessions.</desc>", html, StringComparison.Ordinal);
        Assert.Contains($"<tr data-observation=\"{totals[1]}\"><td>2026-10-12</td><td class=\"num\">30</td><td>possible alliance concern</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patient_page_without_scores_says_so_and_an_unknown_patient_is_a_404_page()
    {
        await Patients.StoreAsync(_client, "view-empty");

        var empty = await (await _client.GetAsync("/app/patients/view-empty")).Content.ReadAsStringAsync();
        using var unknown = await _client.GetAsync("/app/patients/view-nobody");

        Assert.Contains("No scores yet", empty, StringComparison.Ordinal);
        Assert.Contains("No open flags.", empty, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("Patient not found", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flags_page_lists_patients_with_open_flags_and_leaves_resolved_ones_out()
    {
        var open = await ClinicianScenario.SessionsAsync(_client, "list-open", ("2026-10-05T10:00:00Z", [5m, 5m, 5m, 5m]));
        // Scores no monitoring rule flags: the only flag of this patient is the resolved one.
        var resolved = await ClinicianScenario.SessionsAsync(_client, "list-resolved", ("2026-10-05T10:00:00Z", [10m, 10m, 10m, 10m]));
        await ClinicianScenario.FlagAsync(_client, "list-open", open[0], "Open reason for list-open");
        await ClinicianScenario.FlagAsync(_client, "list-resolved", resolved[0], "Resolved reason", active: false);

        using var page = await _client.GetAsync("/app/flags");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<a href=\"/app/patients/list-open\">Alex Example</a>", html, StringComparison.Ordinal);
        Assert.Contains("<li>Open reason for list-open</li>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("list-resolved", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Resolved reason", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_run_no_inline_script_and_carry_a_content_security_policy()
    {
        await Patients.StoreAsync(_client, "view-csp");

        foreach (var path in new[] { "/app/patients/view-csp", "/app/flags" })
        {
            using var page = await _client.GetAsync(path);
            var html = await page.Content.ReadAsStringAsync();
            Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        }
    }

    [GeneratedRegex("<circle class=\"point[^\"]*\" data-observation=\"([^\"]+)\"")]
    private static partial Regex PointRegex();

    [GeneratedRegex("<path class=\"flag-mark\" data-observation=\"([^\"]+)\"")]
    private static partial Regex FlagMarkRegex();
}
