using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Resolution;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.OperationOutcome;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// SDC <c>$populate</c> (http://hl7.org/fhir/uv/sdc/OperationDefinition/Questionnaire-populate) at instance level
/// (<c>Questionnaire/{id}/$populate</c>) and type level (<c>Questionnaire/$populate</c>, the questionnaire named by exactly
/// one of <c>identifier</c>, <c>canonical</c>, <c>questionnaire</c> or <c>questionnaireRef</c>). Stores nothing.
/// </summary>
public static class PopulateOperation
{
    private const string Name = "$populate";

    /// <summary>
    /// What GET may carry. R4 allows GET for an operation that changes nothing when its parameters are primitive:
    /// <c>canonical</c> and <c>questionnaire</c> (as a canonical URL) are uri, <c>local</c> is boolean. <c>subject</c> is
    /// a Reference, but the operation cannot run without it; in the query it is the reference's string form
    /// (<c>Patient/123</c>), which is all a Reference to a local resource holds. Identifier, inline Questionnaire,
    /// questionnaireRef and context are complex and need POST.
    /// </summary>
    private static readonly string[] QueryParameters = ["subject", "canonical", "questionnaire", "local"];

    public static readonly FhirQueryParameter Subject = new(
        "subject", "Reference", "The subject of the response, as Type/id; it must exist on this server", Required: true, Example: "Patient/" + FhirExamples.Id);

    public static readonly FhirQueryParameter Canonical = new(
        "canonical", "uri", "The questionnaire's canonical URL, optionally |version (the SDC 4 ballot also accepts it as 'questionnaire')", Example: FhirExamples.SrsCanonical);

    public static readonly FhirQueryParameter Local = new(
        "local", "boolean", "Whether to pre-populate from what this server knows of the subject (accepted; this server adds nothing)");

    public static Task<IResult> InstanceFromQueryAsync(string id, HttpContext http, ResourceService service, CancellationToken ct)
    {
        OperationInput.RejectUnknownQueryParameters(http.Request, Name, QueryParameters);
        return RunAsync(id, FromQuery(http.Request), http.Request, service, ct);
    }

    public static async Task<IResult> InstanceFromBodyAsync(string id, HttpContext http, FhirRequestReader reader, ResourceService service, CancellationToken ct) =>
        await RunAsync(id, FromParameters(await OperationInput.ReadOptionalParametersAsync(http, reader, Name, ct)), http.Request, service, ct);

    public static Task<IResult> TypeFromQueryAsync(HttpContext http, ResourceService service, CancellationToken ct)
    {
        OperationInput.RejectUnknownQueryParameters(http.Request, Name, QueryParameters);
        return RunAsync(null, FromQuery(http.Request), http.Request, service, ct);
    }

    public static async Task<IResult> TypeFromBodyAsync(HttpContext http, FhirRequestReader reader, ResourceService service, CancellationToken ct) =>
        await RunAsync(null, FromParameters(await OperationInput.ReadOptionalParametersAsync(http, reader, Name, ct)), http.Request, service, ct);

    private static async Task<IResult> RunAsync(string? id, PopulateInput input, HttpRequest request, ResourceService service, CancellationToken ct)
    {
        if (input.Subject?.Reference is not { Length: > 0 })
        {
            throw FhirOperationException.BadRequest("$populate needs a subject (a reference such as Patient/123)", "subject");
        }

        var resources = request.HttpContext.RequestServices.GetRequiredService<IResourceReader>();

        // SDC: at instance level the questionnaire parameters are ignored; at type level exactly one must name it.
        var questionnaire = id is not null
            ? (Questionnaire)(await service.ReadAsync(nameof(Questionnaire), id, ct)).ToResource()!
            : await ResolveQuestionnaireAsync(input, resources, ct);
        await RequireSubjectAsync(input.Subject.Reference, request, resources, ct);

        var output = new Parameters();
        output.Add("response", QuestionnaireResponseProcessor.Populate(questionnaire, input.Subject, input.Encounter));
        return FhirResponse.Of(output);
    }

    /// <summary>
    /// A subject that is not on this server is 422, not 404: the request's URL (the Questionnaire or the type) exists,
    /// and R4 keeps 404 for an unknown target of the URL; a parameter pointing at nothing breaks a business rule, which
    /// http.html answers with 422. It is also the status the response that a form filler would then submit gets for
    /// the same unknown subject. The caller must be able to read the subject: a token without read on its type gets the
    /// 403 naming the scope (whatever the id), and one whose patient/ or search-filtered scopes do not cover this
    /// subject gets the very answer an unknown subject gets, so the operation tells nobody which ids exist.
    /// </summary>
    internal static async Task RequireSubjectAsync(string reference, HttpRequest request, IResourceReader reader, CancellationToken ct)
    {
        var serverBase = FhirUrls.Base(request) + "/";
        var local = reference.StartsWith(serverBase, StringComparison.Ordinal) ? reference[serverBase.Length..] : reference;
        var parts = local.Split('/');
        if (parts.Length != 2 || parts[1].Length == 0 || !SupportedResourceTypes.IsSupported(parts[0]))
        {
            throw Unprocessable(IssueType.Invalid, $"subject '{reference}' is not a reference to a resource on this server (Type/id)", "subject");
        }

        var caller = request.HttpContext.GetAccessContext();
        var policy = request.HttpContext.RequestServices.GetRequiredService<AccessPolicy>();
        policy.Demand(caller, AccessRequest.Of(FhirInteraction.Read, parts[0]));
        if (await reader.ReadAsync(parts[0], parts[1], ct) is not { } subject || !policy.Permits(caller, Permissions.Read, subject))
        {
            throw Unprocessable(IssueType.NotFound, $"subject '{reference}' does not exist on this server", "subject");
        }
    }

    private static async Task<Questionnaire> ResolveQuestionnaireAsync(PopulateInput input, IResourceReader reader, CancellationToken ct)
    {
        var given = new object?[] { input.Identifier, input.Canonical, input.Inline, input.QuestionnaireRef }.Count(v => v is not null);
        if (given != 1)
        {
            throw FhirOperationException.BadRequest(
                "Questionnaire/$populate needs exactly one of identifier, canonical, questionnaire or questionnaireRef to name the questionnaire");
        }

        if (input.Inline is not null)
        {
            return input.Inline;
        }

        if (input.Identifier is { } identifier)
        {
            var token = $"{identifier.System}|{identifier.Value}";
            var matches = await reader.SearchAsync(nameof(Questionnaire), [new("identifier", token)], ct);
            return matches.OfType<Questionnaire>().ToList() switch
            {
                [var single] => single,
                [] => throw Unprocessable(IssueType.NotFound, $"No Questionnaire has identifier '{token}'", "identifier"),
                _ => throw Unprocessable(IssueType.MultipleMatches, $"More than one Questionnaire has identifier '{token}'", "identifier"),
            };
        }

        var (reference, parameter) = input.Canonical is not null ? (input.Canonical, "canonical") : (input.QuestionnaireRef!, "questionnaireRef");
        return await QuestionnaireResolver.TryResolveAsync(reference, reader, ct)
            ?? throw Unprocessable(IssueType.NotFound, $"Questionnaire '{reference}' is not known to this server", parameter);
    }

    private static PopulateInput FromQuery(HttpRequest request)
    {
        var local = OperationInput.Single(request, "local");
        if (local is not null and not "true" and not "false")
        {
            throw FhirOperationException.BadRequest($"local must be true or false, not '{local}'", "local");
        }

        var canonical = OperationInput.Single(request, "canonical");
        var questionnaire = OperationInput.Single(request, "questionnaire");
        if (canonical is not null && questionnaire is not null)
        {
            throw FhirOperationException.BadRequest("Give the questionnaire once: canonical or questionnaire, not both");
        }

        var subject = OperationInput.Single(request, "subject");
        return new PopulateInput
        {
            Subject = subject is null ? null : new ResourceReference(subject),
            Canonical = canonical ?? questionnaire,
        };
    }

    private static PopulateInput FromParameters(Parameters parameters)
    {
        var input = new PopulateInput();
        foreach (var group in parameters.Parameter.GroupBy(p => p.Name))
        {
            if (group.Key != "context" && group.Count() > 1)
            {
                throw FhirOperationException.BadRequest($"Parameter '{group.Key}' may appear only once", group.Key ?? "parameter");
            }

            var p = group.First();
            input = group.Key switch
            {
                "subject" => input with { Subject = p.Value as ResourceReference ?? throw WrongType(p, "valueReference") },
                "identifier" => input with { Identifier = p.Value as Identifier ?? throw WrongType(p, "valueIdentifier") },
                "canonical" => input with { Canonical = UriOf(p) ?? throw WrongType(p, "valueUri") },

                // SDC 3 calls the inline resource 'questionnaire'; the SDC 4 ballot also lets it carry a canonical or reference.
                "questionnaire" => p.Resource switch
                {
                    Questionnaire inline => input with { Inline = inline },
                    null when UriOf(p) is { } url => input with { Canonical = url },
                    null when p.Value is ResourceReference { Reference: { } reference } => input with { QuestionnaireRef = reference },
                    _ => throw WrongType(p, "a Questionnaire resource, valueUri, valueCanonical or valueReference"),
                },
                "questionnaireRef" => input with
                {
                    QuestionnaireRef = (p.Value as ResourceReference)?.Reference ?? throw WrongType(p, "valueReference"),
                },
                "context" => input with { Encounter = EncounterOf(group) },
                "local" => p.Value is FhirBoolean ? input : throw WrongType(p, "valueBoolean"),
                _ => throw FhirOperationException.BadRequest($"'{group.Key}' is not a parameter of $populate", group.Key ?? "parameter"),
            };
        }

        return input;
    }

    /// <summary>SDC passes launch context as 'context' parts; the encounter is the one named 'encounter'.</summary>
    private static ResourceReference? EncounterOf(IEnumerable<Parameters.ParameterComponent> contexts) =>
        contexts
            .Where(c => c.Part.Any(part => part.Name == "name" && part.Value is FhirString { Value: "encounter" }))
            .SelectMany(c => c.Part)
            .FirstOrDefault(part => part.Name == "content")?.Value as ResourceReference;

    private static string? UriOf(Parameters.ParameterComponent p) => p.Value switch
    {
        FhirUri uri => uri.Value,
        Canonical canonical => canonical.Value,
        _ => null,
    };

    private static FhirOperationException WrongType(Parameters.ParameterComponent p, string expected) =>
        FhirOperationException.BadRequest($"Parameter '{p.Name}' must be {expected}", p.Name ?? "parameter");

    private static FhirOperationException Unprocessable(IssueType code, string diagnostics, string parameter) =>
        FhirOperationException.Unprocessable(Outcomes.Create(IssueSeverity.Error, code, diagnostics, parameter));

    private sealed record PopulateInput
    {
        public ResourceReference? Subject { get; init; }

        public ResourceReference? Encounter { get; init; }

        public Identifier? Identifier { get; init; }

        public string? Canonical { get; init; }

        public Questionnaire? Inline { get; init; }

        public string? QuestionnaireRef { get; init; }
    }
}
