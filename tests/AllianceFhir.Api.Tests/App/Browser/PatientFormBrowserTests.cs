using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Monitoring;
using Microsoft.Playwright;

namespace AllianceFhir.Api.Tests.App.Browser;

/// <summary>
/// A client fills the SRS on a phone through a form link, then the clinician opens the patient's page on a laptop and a
/// tablet and finds the new session plotted, with the flag the monitoring rules raised about it when the form was sent
/// (the earlier sessions raise none). Writes the README's screenshots when UPDATE_SCREENSHOTS=1.
/// </summary>
public sealed class PatientFormBrowserTests
{
    private const string Patient = "browser-client";

    [SkippableFact]
    public async Task A_client_fills_the_form_on_a_phone_and_the_clinician_sees_the_new_point_and_its_flag()
    {
        await using var session = await BrowserSession.StartAsync();
        var http = session.Http;
        // Three sessions that raise nothing: every line at 9 or above, totals 36.2, 37 and 38.4, never falling.
        await ClinicianScenario.SessionsAsync(http, Patient,
            ("2026-10-05T10:00:00Z", [9.0m, 9.1m, 9.0m, 9.1m]),
            ("2026-10-12T10:00:00Z", [9.2m, 9.3m, 9.2m, 9.3m]),
            ("2026-10-19T10:00:00Z", [9.5m, 9.6m, 9.6m, 9.7m]));
        Assert.Empty(await MonitoringScores.FlagsAsync(http, Patient));
        var link = await FormLinkRequests.CreateAsync(http, "srs", Patient, InstrumentResponses.EncounterId);

        await using (var phone = await session.PhoneAsync())
        {
            var page = await phone.NewPageAsync();
            var console = new List<string>();
            page.Console += (_, message) => console.Add(message.Text);
            var opened = await page.GotoAsync(link);
            Assert.Equal((int)HttpStatusCode.OK, opened!.Status);
            try
            {
                await page.Locator("body[data-form-ready=true]").WaitForAsync();
            }
            catch (TimeoutException)
            {
                Assert.Fail("The form did not become ready: " + string.Join(" | ", console) + " status: " + await page.Locator("#form-status").InnerTextAsync());
            }

            string[] lines = ["7", "6", "8", "6"];
            for (var i = 0; i < lines.Length; i++)
            {
                await page.Locator($"[id='{i + 1}/1']").FillAsync(lines[i]);
            }

            await page.Locator("[id='4/1']").PressAsync("Tab");
            Assert.Equal("27", await page.Locator("[id='total/1']").InputValueAsync());
            if (BrowserSession.WriteScreenshots)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserSession.ScreenshotPath("patient-form-phone.png"), FullPage = true });
            }

            await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
            await page.Locator("body[data-submitted=true]").WaitForAsync();
            Assert.Contains("Thank you", await page.Locator("#form-status").InnerTextAsync(), StringComparison.Ordinal);

            var again = await page.GotoAsync(link);
            Assert.Equal((int)HttpStatusCode.Gone, again!.Status);
            Assert.Contains("already been sent", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        }

        var totals = await ClinicianScenario.TotalIdsAsync(http, Patient);
        Assert.Equal(4, totals.Count);
        var newest = totals[^1];

        // The rule the submission set off, in the submission's own commit: no flag here is made by the test.
        var raised = (await MonitoringScores.FlagsAsync(http, Patient)).Single(f => MonitoringScores.Rule(f) == "srs-total-low");
        Assert.Equal(Hl7.Fhir.Model.Flag.FlagStatus.Active, raised.Status);
        Assert.Equal([$"Observation/{newest}"], MonitoringScores.Details(raised));
        var reason = raised.Code!.Text!;
        Assert.StartsWith("SRS total 27 is below 36.", reason, StringComparison.Ordinal);

        await using (var laptop = await session.ScreenAsync(1280, 800))
        {
            var page = await laptop.NewPageAsync();
            var shown = await page.GotoAsync($"/app/patients/{Patient}");
            Assert.Equal((int)HttpStatusCode.OK, shown!.Status);

            // Each session is one point of the SRS total's trend (the line scores have trends of their own).
            foreach (var total in totals)
            {
                Assert.Equal(1, await page.Locator($"svg.trend circle.point[data-observation='{total}']").CountAsync());
            }

            var point = page.Locator($"svg.trend circle.point[data-observation='{newest}']");
            Assert.True(await point.IsVisibleAsync());
            Assert.Contains(": 27 (", await point.Locator("title").TextContentAsync() ?? "", StringComparison.Ordinal);
            var mark = page.Locator($"svg.trend path.flag-mark[data-observation='{newest}']").First;
            Assert.True(await mark.IsVisibleAsync());
            Assert.Contains(reason, await mark.Locator("title").TextContentAsync() ?? "", StringComparison.Ordinal);
            Assert.True(await page.GetByText(reason).First.IsVisibleAsync());
            // The fall from session 3 marks session 3 as well (the srs-drop flag names both); sessions 1 and 2 raised nothing.
            foreach (var older in totals[..2])
            {
                Assert.Equal(0, await page.Locator($"svg.trend path.flag-mark[data-observation='{older}']").CountAsync());
            }
            Assert.Equal("Session Rating Scale (SRS) v3", await page.Locator("section.instrument h2").First.InnerTextAsync());
            if (BrowserSession.WriteScreenshots)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserSession.ScreenshotPath("clinician-view.png"), FullPage = true });
                await page.GotoAsync("/app/flags");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserSession.ScreenshotPath("clinic-flags.png"), FullPage = true });
            }
        }

        await using (var tablet = await session.ScreenAsync(768, 1024))
        {
            var page = await tablet.NewPageAsync();
            await page.GotoAsync($"/app/patients/{Patient}");

            // Readable on a tablet: nothing runs off the side of the page.
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
            Assert.True(await page.Locator($"svg.trend path.flag-mark[data-observation='{newest}']").IsVisibleAsync());
        }
    }

    [SkippableFact]
    public async Task An_expired_link_shows_a_page_that_says_so()
    {
        await using var session = await BrowserSession.StartAsync();
        await InstrumentResponses.StoreSubjectAsync(session.Http, "browser-late");
        var expires = DateTimeOffset.UtcNow.AddSeconds(2);
        var link = await FormLinkRequests.CreateAsync(session.Http, "srs", "browser-late",
            expires: expires.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture));
        await Task.Delay(expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));

        await using var phone = await session.PhoneAsync();
        var page = await phone.NewPageAsync();
        var opened = await page.GotoAsync(link);

        Assert.Equal((int)HttpStatusCode.Gone, opened!.Status);
        Assert.Equal("This link has expired", await page.Locator("h1").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#form-container").CountAsync());
    }
}
