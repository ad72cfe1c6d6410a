using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AllianceFhir.Api.OpenApi;

/// <summary>Document-wide facts: where the API is served, which paths need no token, and what each tag holds.</summary>
public sealed class FhirDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        // Paths start with /fhir, so the server is the host itself, whatever address it runs on.
        swaggerDoc.Servers = [new OpenApiServer { Url = "/", Description = "This server" }];

        // The bearer requirement applies document-wide (SwaggerBearer); these two are read before a client has a token.
        foreach (var open in new[] { "/fhir/metadata", "/fhir/.well-known/smart-configuration" })
        {
            if (swaggerDoc.Paths.TryGetValue(open, out var path) && path.Operations is { } operations)
            {
                foreach (var operation in operations.Values)
                {
                    operation.Security = [new OpenApiSecurityRequirement()];
                }
            }
        }

        foreach (var tag in swaggerDoc.Tags ?? Enumerable.Empty<OpenApiTag>())
        {
            tag.Description ??= tag.Name == "System"
                ? "Whole-server interactions: capabilities, history, search across types, transaction and batch Bundles"
                : $"The FHIR R4 {tag.Name} resource (https://hl7.org/fhir/R4/{tag.Name?.ToLowerInvariant()}.html)";
        }
    }
}
