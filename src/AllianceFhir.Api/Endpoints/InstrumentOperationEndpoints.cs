using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Instruments.Pipeline;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// The questionnaire operations: <c>QuestionnaireResponse/$validate</c>, <c>$extract</c> (type and instance level) and
/// SDC <c>Questionnaire/{id}/$populate</c>. None of them stores anything.
/// </summary>
public static class InstrumentOperationEndpoints
{
    public static void MapInstrumentOperations(this RouteGroupBuilder fhir)
    {
        var responses = fhir.MapGroup("/QuestionnaireResponse").WithTags(nameof(QuestionnaireResponse));
        responses.MapPost("/$validate", ValidateAsync)
            .WithName("validate-QuestionnaireResponse")
            .WithSummary("Check a response against its Questionnaire without storing it")
            .WithDescription("Body: a QuestionnaireResponse, or a Parameters resource with a 'resource' part. Always 200 with an OperationOutcome listing what is wrong.")
            .WithMetadata(new FhirBodyMetadata(nameof(QuestionnaireResponse)))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest);
        responses.MapPost("/$extract", ExtractAsync)
            .WithName("extract-QuestionnaireResponse")
            .WithSummary("The Observations a response would produce, as a transaction Bundle (nothing is stored)")
            .WithMetadata(new FhirBodyMetadata(nameof(QuestionnaireResponse)))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity);
        responses.MapPost("/{id}/$extract", ExtractStoredAsync)
            .WithName("extract-stored-QuestionnaireResponse")
            .WithSummary("The Observations a stored response produces, as a transaction Bundle (nothing is stored)")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);

        var questionnaires = fhir.MapGroup("/Questionnaire").WithTags(nameof(Questionnaire));
        questionnaires.MapGet("/{id}/$populate", PopulateFromQueryAsync)
            .WithName("populate-Questionnaire")
            .WithSummary("An in-progress QuestionnaireResponse for a subject (SDC $populate)")
            .WithDescription("Query: subject=Patient/123 (required), encounter=Encounter/456 (optional).")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        questionnaires.MapPost("/{id}/$populate", PopulateFromParametersAsync)
            .WithName("populate-Questionnaire-post")
            .WithSummary("SDC $populate with a Parameters body (subject, context)")
            .WithMetadata(new FhirBodyMetadata(nameof(Parameters)))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
    }

    public static async Task<IResult> ValidateAsync(
        HttpContext http,
        FhirRequestReader reader,
        ResourceService service,
        QuestionnaireResponseProcessor processor,
        CancellationToken ct)
    {
        var response = ResponseFrom(await reader.ReadResourceAsync(http.Request, ct), "resource");
        return FhirResponse.Of(await processor.ValidateAsync(response, service.Reader, ct));
    }

    public static async Task<IResult> ExtractAsync(
        HttpContext http,
        FhirRequestReader reader,
        ResourceService service,
        QuestionnaireResponseProcessor processor,
        CancellationToken ct)
    {
        var response = ResponseFrom(await reader.ReadResourceAsync(http.Request, ct), "questionnaire-response");
        return FhirResponse.Of(await processor.ExtractAsync(response, service.Reader, ct));
    }

    public static async Task<IResult> ExtractStoredAsync(
        string id,
        ResourceService service,
        QuestionnaireResponseProcessor processor,
        CancellationToken ct)
    {
        var stored = await service.ReadAsync(nameof(QuestionnaireResponse), id, ct);
        var response = (QuestionnaireResponse)stored.ToResource()!;
        return FhirResponse.Of(await processor.ExtractAsync(response, service.Reader, ct));
    }

    public static async Task<IResult> PopulateFromQueryAsync(string id, HttpContext http, ResourceService service, CancellationToken ct)
    {
        var subject = http.Request.Query["subject"].ToString();
        var encounter = http.Request.Query["encounter"].ToString();
        return await PopulateAsync(
            id,
            subject.Length > 0 ? new ResourceReference(subject) : null,
            encounter.Length > 0 ? new ResourceReference(encounter) : null,
            service,
            ct);
    }

    public static async Task<IResult> PopulateFromParametersAsync(
        string id,
        HttpContext http,
        FhirRequestReader reader,
        ResourceService service,
        CancellationToken ct)
    {
        if (await reader.ReadResourceAsync(http.Request, ct) is not Parameters parameters)
        {
            throw FhirOperationException.BadRequest("$populate takes a Parameters resource");
        }

        var subject = parameters.Parameter.FirstOrDefault(p => p.Name == "subject")?.Value as ResourceReference;

        // SDC passes the encounter as a 'context' part named 'encounter' whose 'content' is the reference.
        var encounter = parameters.Parameter
            .Where(p => p.Name == "context" && p.Part.Any(part => part.Name == "name" && part.Value is FhirString { Value: "encounter" }))
            .SelectMany(p => p.Part)
            .FirstOrDefault(part => part.Name == "content")?.Value as ResourceReference;
        return await PopulateAsync(id, subject, encounter, service, ct);
    }

    private static async Task<IResult> PopulateAsync(
        string id,
        ResourceReference? subject,
        ResourceReference? encounter,
        ResourceService service,
        CancellationToken ct)
    {
        if (subject?.Reference is null)
        {
            throw FhirOperationException.BadRequest("$populate needs a subject (a reference such as Patient/123)", "subject");
        }

        var questionnaire = (Questionnaire)(await service.ReadAsync(nameof(Questionnaire), id, ct)).ToResource()!;
        var response = QuestionnaireResponseProcessor.Populate(questionnaire, subject, encounter);
        var output = new Parameters();
        output.Add("response", response);
        return FhirResponse.Of(output);
    }

    /// <summary>Operations take the resource itself or a Parameters resource carrying it in the named part.</summary>
    private static QuestionnaireResponse ResponseFrom(Resource body, string partName) => body switch
    {
        QuestionnaireResponse response => response,
        Parameters parameters when parameters.Parameter.FirstOrDefault(p => p.Name == partName || p.Name == "resource")?.Resource is QuestionnaireResponse inner => inner,
        _ => throw FhirOperationException.BadRequest(
            $"The body must be a QuestionnaireResponse or a Parameters resource with a '{partName}' part holding one"),
    };
}
