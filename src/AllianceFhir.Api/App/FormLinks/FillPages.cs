using System.Text;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.FormLinks;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Instruments.Resolution;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.App.FormLinks;

/// <summary>
/// <c>/app/fill/{token}</c>: the patient form. GET renders the link's Questionnaire with LHC-Forms; the page's script
/// posts the answers back to the same URL (<see cref="FormSubmission"/>). The token is the only credential: no
/// account, no cookie. An unknown token is 404, a used or expired one 410, each with a page a patient understands.
/// </summary>
public static class FillPages
{
    public static void MapFillPages(this RouteGroupBuilder app)
    {
        app.MapGet("/fill/{token}", ShowAsync).WithName("app-fill");
        app.MapPost("/fill/{token}", FormSubmission.SubmitAsync)
            .WithName("app-fill-submit")
            .DisableAntiforgery()
            .WithMetadata(new PageAuditMetadata(FhirInteraction.Create, nameof(QuestionnaireResponse)));
    }

    public static async Task<IResult> ShowAsync(string token, HttpContext http, IFormLinkStore links, LFormsAssets lforms, TimeProvider clock, CancellationToken ct)
    {
        var found = await FindAsync(token, links, ct);
        var refusal = Refusal(found, clock.GetUtcNow());
        if (refusal is not null)
        {
            return HtmlPage.Message(refusal.Status, refusal.Title, refusal.Text, clinicianNav: false);
        }

        var link = found!;
        BindTo(http, link);
        var reader = http.RequestServices.GetRequiredService<IResourceReader>();
        var questionnaire = await QuestionnaireResolver.TryResolveAsync(link.Questionnaire, reader, ct);
        if (questionnaire is null)
        {
            return HtmlPage.Message(StatusCodes.Status410Gone, "This form is no longer available",
                "The questionnaire this link was made for has been withdrawn. Please ask your clinic for a new link.", clinicianNav: false);
        }

        var title = questionnaire.Title ?? questionnaire.Name ?? "Questionnaire";
        if (!lforms.IsInstalled)
        {
            return HtmlPage.Message(StatusCodes.Status503ServiceUnavailable, "The form cannot be shown right now",
                "This server's form renderer (NLM LHC-Forms) is not installed, so the questions cannot be displayed. Your link still works: "
                + "please try again later. (For the server's operator: run 'npm ci --prefix src/AllianceFhir.Api/App/Assets/lforms --legacy-peer-deps'.)",
                clinicianNav: false);
        }

        // Data, not code: a JSON block is never executed, so the CSP's script-src 'self' still holds. '<' is escaped so
        // no text in the Questionnaire can close the element.
        var json = FhirSerialization.JsonSerializer.SerializeToString(questionnaire).Replace("<", "\\u003c", StringComparison.Ordinal);
        var body = new StringBuilder()
            .Append("<h1>").Append(HtmlPage.E(title)).Append("</h1>\n")
            .Append("<p class=\"intro\">Please answer each question, then press <strong>Send</strong>. This link works once.</p>\n")
            .Append("<noscript><p class=\"error\">This form needs JavaScript switched on in your browser.</p></noscript>\n")
            .Append("<script type=\"application/json\" id=\"questionnaire-json\">").Append(json).Append("</script>\n")
            .Append("<div id=\"form-container\" class=\"form-container\" aria-live=\"polite\"><p class=\"loading\">Loading the form…</p></div>\n")
            .Append("<div class=\"actions\"><button type=\"button\" id=\"send\" disabled>Send</button></div>\n")
            .Append("<p id=\"form-status\" class=\"form-status\" role=\"status\" aria-live=\"polite\"></p>\n");
        return HtmlPage.Render(
            title,
            body.ToString(),
            clinicianNav: false,
            scripts: [.. LFormsAssets.Scripts.Select(s => $"{LFormsAssets.UrlPath}/{s}"), "/app/assets/fill.js"],
            styles: [$"{LFormsAssets.UrlPath}/{LFormsAssets.Stylesheet}"]);
    }

    internal sealed record LinkRefusal(int Status, string Title, string Text);

    internal static async Task<FormLink?> FindAsync(string token, IFormLinkStore links, CancellationToken ct) =>
        FormLinkTokens.IsWellFormed(token) ? await links.FindAsync(FormLinkTokens.Hash(token), ct) : null;

    /// <summary>Why the link opens nothing, in words for the person holding it; null when it is open.</summary>
    internal static LinkRefusal? Refusal(FormLink? link, DateTimeOffset now) => link?.StateAt(now) switch
    {
        null => new(StatusCodes.Status404NotFound, "This link does not work",
            "We could not find a form for this link. Check that you opened the whole link from your message, or ask your clinic for a new one."),
        FormLinkState.Used => new(StatusCodes.Status410Gone, "This form has already been sent",
            "Thank you: your answers for this link have been received, and a link works only once. If you need to answer again, ask your clinic for a new link."),
        FormLinkState.Expired => new(StatusCodes.Status410Gone, "This link has expired",
            "Links to forms work only for a limited time, and this one has run out. Please ask your clinic for a new link."),
        _ => null,
    };

    /// <summary>
    /// The request acts in the link's clinic, as its patient, with no right but submitting this one response: the write
    /// pipeline and the audit trail see this caller; the FHIR API never does (it takes no link tokens).
    /// </summary>
    internal static void BindTo(HttpContext http, FormLink link) =>
        http.SetAccessContext(new AccessContext(
            $"form-link/{link.Id}",
            "patient-form",
            [new SmartScope(ScopeContext.Patient, nameof(QuestionnaireResponse), Permissions.Create, [])],
            link.Tenant,
            link.Patient) { ServiceBase = ServiceBase.Of(FhirUrls.Base(http.Request)) });
}
