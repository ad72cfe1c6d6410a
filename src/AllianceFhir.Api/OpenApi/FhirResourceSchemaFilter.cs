using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AllianceFhir.Api.OpenApi;

/// <summary>Shows <see cref="FhirResourceBody"/> as "any FHIR resource" rather than an empty object.</summary>
public sealed class FhirResourceSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type == typeof(FhirResourceBody) && schema is OpenApiSchema concrete)
        {
            concrete.Type = JsonSchemaType.Object;
            concrete.Description = "A FHIR R4 resource (an OperationOutcome on errors)";
            concrete.AdditionalPropertiesAllowed = true;
            concrete.Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["resourceType"] = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }
    }
}
