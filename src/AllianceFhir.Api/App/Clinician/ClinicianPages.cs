using System.Text;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>
/// <c>/app/patients/{id}</c> (one patient's alliance and outcome scores, per instrument a trend and a table, and the
/// patient's flags in words) and <c>/app/flags</c> (the clinic's patients with open flags). Plain HTML and SVG, no
/// script.
/// </summary>
public static class ClinicianPages
{
    public static void MapClinicianPages(this RouteGroupBuilder app)
    {
        app.MapGet("/patients/{id}", PatientAsync)
            .WithName("app-patient")
            .WithMetadata(new PageAuditMetadata(FhirInteraction.Read, nameof(Patient), "id"));
        app.MapGet("/flags", FlagsAsync)
            .WithName("app-flags")
            .WithMetadata(new PageAuditMetadata(FhirInteraction.SearchType, nameof(Flag)));
    }

    public static async Task<IResult> PatientAsync(string id, HttpContext http, CancellationToken ct)
    {
        var access = await ClinicianAccess.AuthenticateAsync(http);
        if (access.Caller is not { } caller)
        {
            return access.Refusal!;
        }

        // Resolved only now: the request's store is bound to the caller's clinic, known once the caller is.
        var data = http.RequestServices.GetRequiredService<ClinicianData>();
        var reader = http.RequestServices.GetRequiredService<IResourceReader>();

        var patient = FhirId.IsValid(id) ? await data.PatientAsync(caller, id, ct) : null;
        if (patient is null)
        {
            return HtmlPage.Message(StatusCodes.Status404NotFound, "Patient not found", "There is no patient with this id that you may see.");
        }

        var scores = await data.ScoresAsync(caller, http.Request, id, ct);
        var flags = await data.FlagsAsync(caller, http.Request, id, ct);
        var instruments = await ScoreSeriesBuilder.BuildAsync(scores, flags, reader, ct);

        var body = new StringBuilder();
        body.Append("<header class=\"patient\"><h1>").Append(HtmlPage.E(PatientName(patient))).Append("</h1><p class=\"meta\">")
            .Append(HtmlPage.E($"Patient/{id}"));
        if (patient.BirthDate is { Length: > 0 } born)
        {
            body.Append(" · born ").Append(HtmlPage.E(born));
        }

        body.Append("</p></header>\n");
        AppendFlags(body, flags);
        if (instruments.Count == 0)
        {
            body.Append("<p class=\"empty\">No scores yet: once the patient completes an alliance or outcome form, its scores appear here.</p>");
        }
        else
        {
            body.Append("<p class=\"legend\">In each chart: <span class=\"key-line\">solid line</span> the scores, session by session; ")
                .Append("<span class=\"key-cutoff\">dashed line</span> the instrument's cut-off; a hollow point is below it; ")
                .Append("<span class=\"key-flag\">red triangle</span> a flagged session.</p>\n");
        }

        var chart = 0;
        foreach (var instrument in instruments)
        {
            body.Append("<section class=\"instrument\"><h2>").Append(HtmlPage.E(instrument.Title)).Append("</h2>\n");
            foreach (var series in instrument.Series)
            {
                AppendSeries(body, series, $"chart-{++chart}");
            }

            body.Append("</section>\n");
        }

        return HtmlPage.Render(PatientName(patient), body.ToString());
    }

    public static async Task<IResult> FlagsAsync(HttpContext http, CancellationToken ct)
    {
        var access = await ClinicianAccess.AuthenticateAsync(http);
        if (access.Caller is not { } caller)
        {
            return access.Refusal!;
        }

        var data = http.RequestServices.GetRequiredService<ClinicianData>();

        var open = (await data.FlagsAsync(caller, http.Request, null, ct)).Where(FlagText.IsActive).ToList();
        var byPatient = open
            .Select(f => (Flag: f, Patient: PatientIdOf(f)))
            .Where(x => x.Patient is not null)
            .GroupBy(x => x.Patient!, x => x.Flag, StringComparer.Ordinal)
            .OrderBy(g => g.Min(f => FlagText.Since(f) ?? DateTimeOffset.MaxValue))
            .ToList();
        var patients = await data.PatientsAsync(caller, http.Request, [.. byPatient.Select(g => g.Key)], ct);

        var body = new StringBuilder("<h1>Patients with open flags</h1>\n");
        if (byPatient.Count == 0)
        {
            body.Append("<p class=\"empty\">No patient has an open flag.</p>");
            return HtmlPage.Render("Open flags", body.ToString());
        }

        body.Append("<p>Oldest first. Each flag says, in words, what the rule that raised it noticed.</p>\n")
            .Append("<table class=\"flags\"><caption>Open flags by patient</caption><thead><tr><th scope=\"col\">Patient</th>")
            .Append("<th scope=\"col\">What was noticed</th><th scope=\"col\">Since</th></tr></thead><tbody>\n");
        foreach (var group in byPatient)
        {
            var name = patients.TryGetValue(group.Key, out var patient) ? PatientName(patient) : $"Patient/{group.Key}";
            body.Append("<tr><th scope=\"row\"><a href=\"/app/patients/").Append(Uri.EscapeDataString(group.Key)).Append("\">")
                .Append(HtmlPage.E(name)).Append("</a></th><td><ul class=\"reasons\">");
            foreach (var flag in group)
            {
                body.Append("<li>").Append(HtmlPage.E(FlagText.Reason(flag))).Append("</li>");
            }

            var since = group.Select(FlagText.Since).Where(d => d is not null).Min();
            body.Append("</ul></td><td>").Append(HtmlPage.E(TrendChart.Date(since))).Append("</td></tr>\n");
        }

        body.Append("</tbody></table>");
        return HtmlPage.Render("Open flags", body.ToString());
    }

    private static void AppendFlags(StringBuilder body, IReadOnlyList<Flag> flags)
    {
        var open = flags.Where(FlagText.IsActive).ToList();
        body.Append("<section class=\"flags-now\" aria-labelledby=\"open-flags\"><h2 id=\"open-flags\">Open flags</h2>");
        if (open.Count == 0)
        {
            body.Append("<p class=\"empty\">No open flags.</p>");
        }
        else
        {
            body.Append("<ul class=\"flag-list\">");
            foreach (var flag in open)
            {
                body.Append("<li class=\"flag\"><span class=\"flag-icon\" aria-hidden=\"true\">▲</span> <strong>")
                    .Append(HtmlPage.E(FlagText.Reason(flag))).Append("</strong>");
                if (FlagText.Since(flag) is { } since)
                {
                    body.Append(" <span class=\"since\">since ").Append(HtmlPage.E(TrendChart.Date(since))).Append("</span>");
                }

                if (FlagText.Rule(flag) is { } rule && rule != FlagText.Reason(flag))
                {
                    body.Append(" <span class=\"rule\">(rule <code>").Append(HtmlPage.E(rule)).Append("</code>)</span>");
                }

                body.Append("</li>");
            }

            body.Append("</ul>");
        }

        var closed = flags.Count - open.Count;
        if (closed > 0)
        {
            body.Append("<p class=\"closed\">").Append(closed).Append(closed == 1 ? " earlier flag has" : " earlier flags have").Append(" been resolved.</p>");
        }

        body.Append("</section>\n");
    }

    private static void AppendSeries(StringBuilder body, ScoreSeries series, string id)
    {
        body.Append("<figure class=\"series\"><figcaption><h3>").Append(HtmlPage.E(series.Name)).Append("</h3>");
        foreach (var cut in series.CutOffs)
        {
            body.Append("<p class=\"cutoff-text\">Cut-off ").Append(TrendChart.Number(cut.Value)).Append(": a score below it means ")
                .Append(HtmlPage.E(cut.Meaning)).Append(".</p>");
        }

        body.Append("</figcaption>").Append(TrendChart.Render(series, id)).Append("</figure>\n");
        body.Append("<table class=\"scores\"><caption>").Append(HtmlPage.E(series.Name)).Append(", session by session</caption>")
            .Append("<thead><tr><th scope=\"col\">Date</th><th scope=\"col\" class=\"num\">Score</th><th scope=\"col\">Meaning</th><th scope=\"col\">Flags</th></tr></thead><tbody>");
        foreach (var point in series.Points.Reverse())
        {
            body.Append("<tr data-observation=\"").Append(HtmlPage.E(point.ObservationId)).Append("\"><td>").Append(HtmlPage.E(TrendChart.Date(point.When)))
                .Append("</td><td class=\"num\">").Append(TrendChart.Number(point.Value)).Append("</td><td>")
                .Append(HtmlPage.E(point.Interpretation ?? "")).Append("</td><td>")
                .Append(HtmlPage.E(string.Join("; ", point.Flags.Select(f => (FlagText.IsActive(f) ? "" : "(resolved) ") + FlagText.Reason(f)))))
                .Append("</td></tr>");
        }

        body.Append("</tbody></table>\n");
    }

    private static string? PatientIdOf(Flag flag) =>
        flag.Subject?.Reference is { } reference && reference.StartsWith("Patient/", StringComparison.Ordinal)
            ? reference["Patient/".Length..].Split('/')[0]
            : null;

    public static string PatientName(Patient patient)
    {
        var name = patient.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Official) ?? patient.Name.FirstOrDefault();
        if (name is null)
        {
            return $"Patient/{patient.Id}";
        }

        if (name.Text is { Length: > 0 } text)
        {
            return text;
        }

        var joined = string.Join(' ', name.Given.Append(name.Family).Where(s => !string.IsNullOrWhiteSpace(s)));
        return joined.Length > 0 ? joined : $"Patient/{patient.Id}";
    }
}
