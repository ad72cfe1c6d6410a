using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Endpoints;

/// <summary>System-level <c>POST [base]</c>: transaction and batch Bundles.</summary>
public static class BundleEndpoints
{
    public static void MapBundles(this RouteGroupBuilder fhir)
    {
        fhir.MapPost("/", ProcessAsync)
            .WithName("transaction-or-batch")
            .WithTags("System")
            .WithSummary("Process a transaction or batch Bundle")
            .WithDescription(
                "A transaction is all or nothing: entries run in the order DELETE, POST, PUT, GET, urn:uuid fullUrls and conditional "
                + "references are resolved, and any failing entry leaves nothing changed (the answer is that entry's OperationOutcome). "
                + "A batch runs each entry on its own and always answers 200 with each entry's status.")
            .WithMetadata(new FhirBodyMetadata(nameof(Bundle)))
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound,
                StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
    }

    public static async Task<IResult> ProcessAsync(
        HttpContext http,
        BundleService bundles,
        FhirRequestReader reader,
        IOptions<FhirServerOptions> options,
        CancellationToken ct)
    {
        var resource = await reader.ReadResourceAsync(http.Request, ct);
        if (resource is not Bundle bundle)
        {
            throw FhirOperationException.BadRequest(
                $"POST to the base takes a transaction or batch Bundle, not a {resource.TypeName}; post a {resource.TypeName} to [base]/{resource.TypeName}",
                "resourceType");
        }

        var context = new BundleRequestContext(
            FhirUrls.Base(http.Request),
            PreferHeader.Return(http.Request) switch
            {
                PreferReturn.Minimal => ReturnPreference.Minimal,
                PreferReturn.OperationOutcome => ReturnPreference.OperationOutcome,
                _ => ReturnPreference.Representation,
            },
            options.Value.MaxBundleEntries,
            http.GetAccessContext());
        return FhirResponse.Of(await bundles.ProcessAsync(bundle, context, ct));
    }
}
