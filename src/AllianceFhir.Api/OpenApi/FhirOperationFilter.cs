using System.Text.Json.Nodes;
using AllianceFhir.Api.Http;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AllianceFhir.Api.OpenApi;

/// <summary>
/// Describes FHIR request bodies: the handlers read the body themselves (strict FHIR parsing, not model binding), so
/// the request body, its media types and a working example are added here from <see cref="FhirBodyMetadata"/>.
/// </summary>
public sealed class FhirOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var body = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<FhirBodyMetadata>().FirstOrDefault();
        if (body is not null)
        {
            var example = JsonNode.Parse(FhirExamples.For(body.ResourceType));
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = $"A {body.ResourceType} resource in FHIR JSON or XML",
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [FhirMediaTypes.Json] = new OpenApiMediaType { Schema = FhirResourceSchema(), Example = example },
                    [FhirMediaTypes.Xml] = new OpenApiMediaType { Schema = FhirResourceSchema() },
                },
            };
        }

        operation.Parameters ??= [];
        AddQuery(operation, "_format", "Response format: json, xml or a FHIR media type (overrides Accept)");
        AddQuery(operation, "_pretty", "true to indent the response");
    }

    private static OpenApiSchema FhirResourceSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "A FHIR R4 resource (see https://hl7.org/fhir/R4/)",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["resourceType"] = new OpenApiSchema { Type = JsonSchemaType.String },
        },
        Required = new HashSet<string> { "resourceType" },
    };

    private static void AddQuery(OpenApiOperation operation, string name, string description)
    {
        if (operation.Parameters!.Any(p => p.Name == name))
        {
            return;
        }

        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Query,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }
}
