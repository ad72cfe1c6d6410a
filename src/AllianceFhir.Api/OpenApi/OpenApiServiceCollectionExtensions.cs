using Microsoft.OpenApi;

namespace AllianceFhir.Api.OpenApi;

public static class OpenApiServiceCollectionExtensions
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddFhirOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "AllianceFhir FHIR R4 API",
                Version = "v1",
                Description = "FHIR R4 REST API for therapeutic-alliance questionnaires, responses and scores. "
                    + "Bodies are FHIR JSON (application/fhir+json) or XML (application/fhir+xml); errors are OperationOutcomes.",
            });
            options.OperationFilter<FhirOperationFilter>();
            options.SchemaFilter<FhirResourceSchemaFilter>();
            options.DocumentFilter<FhirDocumentFilter>();

            // Stable, readable operation ids for generated clients.
            options.CustomOperationIds(api => api.ActionDescriptor.EndpointMetadata
                .OfType<Microsoft.AspNetCore.Routing.IEndpointNameMetadata>().FirstOrDefault()?.EndpointName);
        });
        return services;
    }

    public static WebApplication UseFhirOpenApi(this WebApplication app)
    {
        // Swagger:Enabled, default on in Development only: elsewhere the UI would advertise the API to anyone who finds it.
        if (!app.Configuration.GetValue("Swagger:Enabled", app.Environment.IsDevelopment()))
        {
            return app;
        }

        // Only requests under /swagger pass through Swashbuckle's two middlewares: each matched every request's path
        // against its templates (~1 % of a read's CPU in Development, docs/performance.md).
        app.UseWhen(
            http => http.Request.Path.StartsWithSegments("/swagger"),
            swagger => swagger.UseSwagger().UseSwaggerUI(options =>
            {
                options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "AllianceFhir FHIR R4 API");
                options.DocumentTitle = "AllianceFhir API";
            }));
        return app;
    }
}
