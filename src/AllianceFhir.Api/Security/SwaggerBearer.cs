using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AllianceFhir.Api.Security;

/// <summary>Swagger UI's Authorize button: paste a bearer token and every "Try it out" call sends it.</summary>
public static class SwaggerBearer
{
    public const string SchemeName = "bearer";

    public static void Configure(SwaggerGenOptions options)
    {
        options.AddSecurityDefinition(SchemeName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from this server's authorization server (SMART scopes such as user/*.rs). "
                + "Not needed on an open Development server.",
        });
        options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(SchemeName, document)] = [],
        });
    }
}
