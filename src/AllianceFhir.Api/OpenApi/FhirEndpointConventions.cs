using AllianceFhir.Api.Http;

namespace AllianceFhir.Api.OpenApi;

public static class FhirEndpointConventions
{
    /// <summary>Declares the statuses an endpoint answers with, each carrying a FHIR resource in JSON or XML.</summary>
    public static RouteHandlerBuilder ProducesFhir(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<FhirResourceBody>(status, FhirMediaTypes.Json, FhirMediaTypes.Xml);
        }

        return builder;
    }
}

/// <summary>Stands for "a FHIR resource" in the OpenAPI document (the schema filter describes it).</summary>
public sealed class FhirResourceBody;
