using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Instruments.Pipeline;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Endpoints;

/// <summary>
/// The questionnaire operations where R4 and SDC define them: <c>QuestionnaireResponse/$validate</c> (Resource-validate,
/// type and instance level), SDC <c>$extract</c> (type and instance level) and SDC <c>$populate</c> (see
/// <see cref="PopulateOperation"/>). None of them stores anything, so each that takes only primitive parameters at
/// a level also answers GET there (R4 operations.html).
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
        responses.MapGet("/{id}/$validate", ValidateStoredAsync)
            .WithName("validate-stored-QuestionnaireResponse")
            .WithSummary("Check a stored response against its Questionnaire")
            .WithDescription("200 with an OperationOutcome listing what is wrong.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        responses.MapPost("/{id}/$validate", ValidateStoredAsync)
            .WithName("validate-stored-QuestionnaireResponse-post")
            .WithSummary("Check a stored response, or a proposed new version of it, against its Questionnaire")
            .WithDescription("No body or an empty Parameters resource checks the stored response; a QuestionnaireResponse (or a "
                + "Parameters 'resource' part) is checked as the new version. 200 with an OperationOutcome.")
            .WithMetadata(new FhirBodyMetadata(nameof(Parameters), Required: false, Example: FhirExamples.NoParameters))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        responses.MapPost("/$extract", ExtractAsync)
            .WithName("extract-QuestionnaireResponse")
            .WithSummary("The Observations a response would produce, as a transaction Bundle (nothing is stored)")
            .WithMetadata(new FhirBodyMetadata(nameof(QuestionnaireResponse)))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity);
        responses.MapGet("/{id}/$extract", ExtractStoredAsync)
            .WithName("extract-stored-QuestionnaireResponse")
            .WithSummary("The Observations a stored response produces, as a transaction Bundle (nothing is stored)")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
        responses.MapPost("/{id}/$extract", ExtractStoredAsync)
            .WithName("extract-stored-QuestionnaireResponse-post")
            .WithSummary("The Observations a stored response produces, as a transaction Bundle (nothing is stored)")
            .WithDescription("No parameters: no body, or an empty Parameters resource.")
            .WithMetadata(new FhirBodyMetadata(nameof(Parameters), Required: false, Example: FhirExamples.NoParameters))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);

        var questionnaires = fhir.MapGroup("/Questionnaire").WithTags(nameof(Questionnaire));
        const string populateStatuses = "400 without a subject, 422 when the subject or the named questionnaire is not on this server.";
        questionnaires.MapGet("/{id}/$populate", PopulateOperation.InstanceFromQueryAsync)
            .WithName("populate-Questionnaire")
            .WithSummary("An in-progress QuestionnaireResponse for a subject (SDC $populate)")
            .WithDescription("Query: subject=Patient/123 (required), local=true|false. " + populateStatuses)
            .WithMetadata(new FhirQueryMetadata(PopulateOperation.Subject, PopulateOperation.Local), new FhirIdExampleMetadata(FhirExamples.QuestionnaireId))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
        questionnaires.MapPost("/{id}/$populate", PopulateOperation.InstanceFromBodyAsync)
            .WithName("populate-Questionnaire-post")
            .WithSummary("SDC $populate with a Parameters body (subject, context, local)")
            .WithDescription(populateStatuses)
            .WithMetadata(new FhirBodyMetadata(nameof(Parameters)), new FhirIdExampleMetadata(FhirExamples.QuestionnaireId))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
        questionnaires.MapGet("/$populate", PopulateOperation.TypeFromQueryAsync)
            .WithName("populate-Questionnaire-by-canonical")
            .WithSummary("SDC $populate for the questionnaire with a canonical URL")
            .WithDescription("Query: canonical=url or url|version (or questionnaire=the same), subject=Patient/123, local=true|false. " + populateStatuses)
            .WithMetadata(new FhirQueryMetadata(PopulateOperation.Canonical, PopulateOperation.Subject, PopulateOperation.Local))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity);
        questionnaires.MapPost("/$populate", PopulateOperation.TypeFromBodyAsync)
            .WithName("populate-Questionnaire-type-post")
            .WithSummary("SDC $populate with a Parameters body naming the questionnaire (identifier, canonical, questionnaire or questionnaireRef)")
            .WithDescription(populateStatuses)
            .WithMetadata(new FhirBodyMetadata(nameof(Parameters), Example: FhirExamples.PopulateByCanonical))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> ValidateAsync(
        HttpContext http,
        FhirRequestReader reader,
        IResourceReader resources,
        QuestionnaireResponseProcessor processor,
        CancellationToken ct)
    {
        var response = ResponseFrom(await reader.ReadResourceAsync(http.Request, ct), "resource");
        return FhirResponse.Of(await processor.ValidateAsync(response, resources, ct));
    }

    public static async Task<IResult> ExtractAsync(
        HttpContext http,
        FhirRequestReader reader,
        IResourceReader resources,
        QuestionnaireResponseProcessor processor,
        CancellationToken ct)
    {
        var response = ResponseFrom(await reader.ReadResourceAsync(http.Request, ct), "questionnaire-response");
        return FhirResponse.Of(await processor.ExtractAsync(response, resources, ct));
    }

    public static async Task<IResult> ValidateStoredAsync(
        string id,
        HttpContext http,
        FhirRequestReader reader,
        ResourceService service,
        IResourceReader resources,
        QuestionnaireResponseProcessor processor,
        CancellationToken ct)
    {
        var body = await OperationInput.ReadOptionalBodyAsync(http, reader, ct);
        var stored = (QuestionnaireResponse)(await service.ReadAsync(nameof(QuestionnaireResponse), id, ct)).ToResource()!;
        var response = body is null or Parameters { Parameter.Count: 0 } ? stored : ResponseFrom(body, "resource");
        if (response.Id is not null && response.Id != id)
        {
            throw FhirOperationException.BadRequest($"The resource's id '{response.Id}' is not the id in the URL ('{id}')", "QuestionnaireResponse.id");
        }

        return FhirResponse.Of(await processor.ValidateAsync(response, resources, ct));
    }

    public static async Task<IResult> ExtractStoredAsync(
        string id,
        HttpContext http,
        FhirRequestReader reader,
        ResourceService service,
        IResourceReader resources,
        QuestionnaireResponseProcessor processor,
        CancellationToken ct)
    {
        // SDC: 'questionnaire-response' is for the type level; at instance level the stored response is the input.
        var parameters = await OperationInput.ReadOptionalParametersAsync(http, reader, "$extract", ct);
        if (parameters.Parameter.FirstOrDefault() is { } part)
        {
            throw FhirOperationException.BadRequest($"QuestionnaireResponse/{{id}}/$extract takes no parameters ('{part.Name}' given); it extracts the stored response", part.Name ?? "parameter");
        }

        var stored = await service.ReadAsync(nameof(QuestionnaireResponse), id, ct);
        var response = (QuestionnaireResponse)stored.ToResource()!;
        return FhirResponse.Of(await processor.ExtractAsync(response, resources, ct));
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
