using AllianceFhir.Api.Endpoints;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.FormLinks;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using static Hl7.Fhir.Model.OperationOutcome;

namespace AllianceFhir.Api.App.FormLinks;

/// <summary>
/// <c>POST Questionnaire/{id}/$create-link</c>: a single-use, expiring link to the patient form
/// (<c>/app/fill/{token}</c>) for one patient and, optionally, one encounter. Whoever holds the link can submit exactly
/// one response to this Questionnaire for that patient, nothing else; the subject and encounter come from the link, not
/// from the browser. Only the token's hash is stored, so the URL in the answer is the only copy: send it to the patient.
/// </summary>
public static class CreateLinkOperation
{
    public const string Name = "$create-link";

    public static void MapFormLinkOperation(this RouteGroupBuilder fhir)
    {
        fhir.MapPost($"/Questionnaire/{{id}}/{Name}", CreateAsync)
            .WithTags(nameof(Questionnaire))
            .WithName("create-link-Questionnaire")
            .WithSummary("A single-use, expiring link to the patient form for this Questionnaire")
            .WithDescription("Parameters: subject (valueReference, Patient/id, required), encounter (valueReference, Encounter/id of that patient), "
                + "expires (valueDateTime or valueInstant with a time zone; default App:FormLinkDefaultDays, at most App:FormLinkMaxDays ahead). "
                + "Answers a Parameters resource with url (valueUrl, the link to give the patient) and expires (valueInstant). "
                + "400 for a malformed body, 404 for an unknown Questionnaire, 422 when the subject or encounter is not on this server, "
                + "the Questionnaire is not active, or the expiry is out of range.")
            .WithMetadata(new FhirBodyMetadata(nameof(Parameters), Example: FhirExamples.CreateLink), new FhirIdExampleMetadata(FhirExamples.QuestionnaireId))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> CreateAsync(
        string id,
        HttpContext http,
        FhirRequestReader reader,
        ResourceService service,
        IResourceReader resources,
        IFormLinkStore links,
        IOptions<AppOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        var parameters = await OperationInput.ReadOptionalParametersAsync(http, reader, Name, ct);
        var input = Input.From(parameters);
        var questionnaire = (Questionnaire)(await service.ReadAsync(nameof(Questionnaire), id, ct)).ToResource()!;
        if (questionnaire.Status != PublicationStatus.Active || string.IsNullOrEmpty(questionnaire.Url))
        {
            throw Unprocessable(IssueType.BusinessRule, $"Questionnaire/{id} is not an active Questionnaire with a url: patients can only be sent active forms", "Questionnaire.status");
        }

        // All checks come before the link is recorded.
        var subject = input.Subject?.Reference ?? throw FhirOperationException.BadRequest($"{Name} needs a subject (valueReference Patient/id)", "subject");
        await PopulateOperation.RequireSubjectAsync(subject, http.Request, resources, ct);
        var patientId = LocalId(http.Request, subject, nameof(Patient), "subject");
        var encounterId = input.Encounter?.Reference is { } encounter
            ? await RequireEncounterAsync(http, encounter, patientId, resources, ct)
            : null;

        var now = clock.GetUtcNow();
        var settings = options.Value;
        var expires = input.Expires ?? TruncateToSeconds(now.AddDays(settings.FormLinkDefaultDays));
        if (expires <= now || expires > now.AddDays(settings.FormLinkMaxDays))
        {
            throw Unprocessable(IssueType.BusinessRule, $"expires must be in the future and at most {settings.FormLinkMaxDays} days ahead (App:FormLinkMaxDays)", "expires");
        }

        var caller = http.GetAccessContext();
        var token = FormLinkTokens.New();
        await links.CreateAsync(
            new FormLink(FhirId.New(), caller.Tenant!, FormLinkTokens.Hash(token), Canonical(questionnaire), patientId, encounterId, caller.Subject, now, expires),
            ct);

        var result = new Parameters();
        result.Add("url", new FhirUrl($"{AppUrls.Root(http.Request)}/app/fill/{token}"));
        result.Add("expires", new Instant(expires));
        result.Add("questionnaire", new Canonical(Canonical(questionnaire)));
        result.Add("subject", new ResourceReference($"Patient/{patientId}"));
        return FhirResponse.Of(result);
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));

    private static string Canonical(Questionnaire questionnaire) =>
        questionnaire.Version is { Length: > 0 } version ? $"{questionnaire.Url}|{version}" : questionnaire.Url!;

    /// <summary>The encounter must exist, be readable by the caller, and be this patient's (or name no subject).</summary>
    private static async Task<string> RequireEncounterAsync(HttpContext http, string reference, string patientId, IResourceReader resources, CancellationToken ct)
    {
        var id = LocalId(http.Request, reference, nameof(Encounter), "encounter");
        var policy = http.RequestServices.GetRequiredService<AccessPolicy>();
        var caller = http.GetAccessContext();
        policy.Demand(caller, AccessRequest.Of(FhirInteraction.Read, nameof(Encounter)));
        if (await resources.ReadAsync(nameof(Encounter), id, ct) is not Encounter found || !policy.Permits(caller, Permissions.Read, found))
        {
            throw Unprocessable(IssueType.NotFound, $"encounter '{reference}' does not exist on this server", "encounter");
        }

        if (found.Subject?.Reference is { } owner && owner != $"Patient/{patientId}")
        {
            throw Unprocessable(IssueType.BusinessRule, $"encounter '{reference}' is not an encounter of the subject", "encounter");
        }

        return id;
    }

    private static string LocalId(HttpRequest request, string reference, string type, string parameter)
    {
        var serverBase = FhirUrls.Base(request) + "/";
        var local = reference.StartsWith(serverBase, StringComparison.Ordinal) ? reference[serverBase.Length..] : reference;
        var parts = local.Split('/');
        return parts.Length == 2 && parts[0] == type && FhirId.IsValid(parts[1])
            ? parts[1]
            : throw Unprocessable(IssueType.Invalid, $"{parameter} must be a {type} of this server ({type}/id), not '{reference}'", parameter);
    }

    private static FhirOperationException Unprocessable(IssueType code, string diagnostics, string parameter) =>
        FhirOperationException.Unprocessable(Outcomes.Create(IssueSeverity.Error, code, diagnostics, parameter));

    private sealed record Input(ResourceReference? Subject, ResourceReference? Encounter, DateTimeOffset? Expires)
    {
        public static Input From(Parameters parameters)
        {
            var input = new Input(null, null, null);
            foreach (var p in parameters.Parameter)
            {
                input = p.Name switch
                {
                    "subject" when input.Subject is null => input with { Subject = p.Value as ResourceReference ?? throw WrongType(p, "valueReference") },
                    "encounter" when input.Encounter is null => input with { Encounter = p.Value as ResourceReference ?? throw WrongType(p, "valueReference") },
                    "expires" when input.Expires is null => input with { Expires = ExpiresOf(p) },
                    "subject" or "encounter" or "expires" => throw FhirOperationException.BadRequest($"Parameter '{p.Name}' may appear only once", p.Name),
                    _ => throw FhirOperationException.BadRequest($"'{p.Name}' is not a parameter of {Name} (subject, encounter, expires)", p.Name ?? "parameter"),
                };
            }

            return input;
        }

        /// <summary>An instant needs a time zone to mean one moment; a bare date or a zoneless time would not.</summary>
        private static DateTimeOffset ExpiresOf(Parameters.ParameterComponent p) => p.Value switch
        {
            Instant { Value: { } instant } => instant,
            FhirDateTime { Value: { Length: > 10 } text } dateTime when text.Contains('T', StringComparison.Ordinal)
                && (text.EndsWith('Z') || text[^6] is '+' or '-') && dateTime.TryToDateTimeOffset(out var at) => at,
            FhirDateTime => throw FhirOperationException.BadRequest("expires must be a date and time with a time zone (2026-12-01T18:00:00+01:00)", "expires"),
            _ => throw WrongType(p, "valueDateTime or valueInstant"),
        };

        private static FhirOperationException WrongType(Parameters.ParameterComponent p, string expected) =>
            FhirOperationException.BadRequest($"Parameter '{p.Name}' must be a {expected}", p.Name ?? "parameter");
    }
}
