using AllianceFhir.Core.Errors;
using AllianceFhir.Core.FormLinks;
using AllianceFhir.Core.Resources;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.App.FormLinks;

/// <summary>
/// <c>POST /app/fill/{token}</c>: the answers from the patient form, as the QuestionnaireResponse LHC-Forms exports.
/// Only the answers (<c>item</c>) are taken from the browser; the Questionnaire, subject, encounter, source, status
/// and authored time come from the link and the server, so a token can produce nothing but one completed response for
/// its patient. The response then goes through the normal write pipeline (validated, scored, Observations extracted,
/// audited). Answers are JSON <c>{ "message": … }</c> for the page's script to show.
/// </summary>
public static class FormSubmission
{
    public static async Task<IResult> SubmitAsync(string token, HttpContext http, IFormLinkStore links, TimeProvider clock, CancellationToken ct)
    {
        var link = await FillPages.FindAsync(token, links, ct);
        if (FillPages.Refusal(link, clock.GetUtcNow()) is { } refusal)
        {
            return Message(refusal.Status, $"{refusal.Title}. {refusal.Text}");
        }

        // The same reader as every FHIR body: media type, size limit, body guard, strict parsing.
        QuestionnaireResponse? answers;
        try
        {
            answers = await http.RequestServices.GetRequiredService<Http.FhirRequestReader>().ReadResourceAsync(http.Request, ct) as QuestionnaireResponse;
        }
        catch (FhirOperationException ex)
        {
            return Message((int)ex.Status, "The answers could not be read (" + Explain(ex) + "). Please reload the page and try again.");
        }

        if (answers is null)
        {
            return Message(StatusCodes.Status400BadRequest, "The answers could not be read. Please reload the page and try again.");
        }

        // One submission per link: whoever claims it first goes on; anyone else is told it is taken.
        if (!await links.ClaimAsync(link!.Id, clock.GetUtcNow(), ct))
        {
            var now = FillPages.Refusal(await links.FindAsync(link.TokenHash, ct), clock.GetUtcNow());
            return now is null
                ? Message(StatusCodes.Status409Conflict, "This form is being sent from another window.")
                : Message(now.Status, $"{now.Title}. {now.Text}");
        }

        FillPages.BindTo(http, link);
        var response = new QuestionnaireResponse
        {
            Questionnaire = link.Questionnaire,
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Subject = new ResourceReference($"Patient/{link.Patient}"),
            Encounter = link.Encounter is null ? null : new ResourceReference($"Encounter/{link.Encounter}"),
            Authored = clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),

            // Self-rated: the patient gave these answers (QuestionnaireResponse.source, "the person who answered").
            Source = new ResourceReference($"Patient/{link.Patient}"),
            Item = answers.Item,
        };

        WriteResult written;
        try
        {
            written = await http.RequestServices.GetRequiredService<ResourceService>().CreateAsync(response, null, ct);
        }
        catch (FhirOperationException ex)
        {
            // Nothing was stored: the link opens again, so the person can correct the answers.
            await links.ReleaseAsync(link.Id, CancellationToken.None);
            return Message((int)ex.Status, "Some answers need another look: " + Explain(ex));
        }
        catch
        {
            await links.ReleaseAsync(link.Id, CancellationToken.None);
            throw;
        }

        await links.CompleteAsync(link.Id, written.Version.Id, clock.GetUtcNow(), CancellationToken.None);
        return Message(StatusCodes.Status201Created, "Thank you: your answers have been sent to your clinic. You can close this page now.");
    }

    /// <summary>What the pipeline refused, by item: its messages name items and rules, never other patients' data.</summary>
    private static string Explain(FhirOperationException ex)
    {
        var issues = ex.Outcome.Issue.Select(i => i.Diagnostics).OfType<string>().Take(5).ToList();
        return issues.Count == 0 ? "the server gave no reason" : string.Join(" ", issues);
    }

    private static IResult Message(int status, string text) => Results.Json(new { message = text }, statusCode: status);
}
