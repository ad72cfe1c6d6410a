using AllianceFhir.Api.App.FormLinks;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.Import;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Subscriptions;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Endpoints;

public static class FhirRoutes
{
    /// <summary>Maps the FHIR REST API under /fhir: one route group per supported resource type, plus system level.</summary>
    public static RouteGroupBuilder MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirUrls.BasePath);
        fhir.WithMetadata(FhirNegotiation.Negotiated.Endpoints);

        fhir.MapGet("/metadata", async (HttpContext http, CapabilityStatementFactory factory, CancellationToken ct) =>
                FhirResponse.Of(await factory.BuildAsync(http.Request, ct)))
            .WithName("capabilities")
            .WithTags("System")
            .WithSummary("The CapabilityStatement: what this server supports")
            .ProducesFhir(StatusCodes.Status200OK);
        fhir.MapSystemHistory();
        fhir.MapInstrumentOperations();
        fhir.MapFormLinkOperation();
        fhir.MapMonitoringOperations();
        fhir.MapSpreadsheetImport();
        fhir.MapSubscriptionOperations();
        fhir.MapSystemSearch();

        foreach (var type in SupportedResourceTypes.All)
        {
            var group = fhir.MapGroup($"/{type}").WithTags(type);
            group.MapSearch(type);
            group.MapTypeHistory(type);
            group.MapInstanceInteractions(type);
        }

        fhir.MapBundles();

        // Anything else under /fhir is an unknown type or an interaction we do not offer: say which, as FHIR does.
        fhir.MapFallback("{**path}", (HttpContext http) => UnknownRoute(http))
            .ExcludeFromDescription();
        return fhir;
    }

    private static IResult UnknownRoute(HttpContext http)
    {
        var segments = (http.Request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var type = segments.Length > 1 ? segments[1] : string.Empty;
        if (type.Length > 0 && !type.StartsWith('_') && !type.StartsWith('$') && !SupportedResourceTypes.IsSupported(type))
        {
            throw FhirOperationException.NotFound($"Resource type '{type}' is not supported by this server");
        }

        throw FhirOperationException.Of(
            System.Net.HttpStatusCode.MethodNotAllowed,
            OperationOutcome.IssueType.NotSupported,
            $"{http.Request.Method} {http.Request.Path} is not an interaction this server supports");
    }
}
