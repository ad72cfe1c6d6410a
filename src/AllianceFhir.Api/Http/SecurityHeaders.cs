namespace AllianceFhir.Api.Http;

/// <summary>Headers that keep browsers and caches from mishandling what the service sends.</summary>
public static class SecurityHeaders
{
    /// <summary>
    /// For HTML pages (today only Swagger UI, which loads its scripts and styles from /swagger, sets inline styles and
    /// uses data: images): nothing from elsewhere, no plugins, no framing.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            // Set when the response starts, so error responses (whose handler clears the headers) carry them too.
            context.Response.OnStarting(() =>
            {
                Apply(context);
                return Task.CompletedTask;
            });
            return next(context);
        });

    private static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";

        var html = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
        if (html)
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }

        // Everything under /fhir may carry patient data (errors can quote it too); pages for people will as well.
        if (html || context.Request.Path.StartsWithSegments(FhirUrls.BasePath, StringComparison.OrdinalIgnoreCase))
        {
            headers.CacheControl = "no-store";
        }
    }
}
