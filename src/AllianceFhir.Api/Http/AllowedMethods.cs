using Microsoft.AspNetCore.Routing.Template;

namespace AllianceFhir.Api.Http;

/// <summary>
/// The <c>Allow</c> header of a 405: RFC 9110 §15.5.6 has it list the methods the target resource supports. Read from
/// the routes that match the path, so it cannot drift from what is mapped (HEAD wherever GET is, see
/// <see cref="HeadRequests"/>); AuditEvent maps no writes, so none are listed for it.
/// </summary>
public static class AllowedMethods
{
    public static string For(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            // The fallback declares no methods and matches every path; it is what answered, not what is supported.
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 } declared
                || !new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary())
                    .TryMatch(http.Request.Path, new RouteValueDictionary()))
            {
                continue;
            }

            methods.UnionWith(declared.HttpMethods);
            if (declared.HttpMethods.Contains(HttpMethods.Get))
            {
                methods.Add(HttpMethods.Head);
            }
        }

        return string.Join(", ", methods);
    }
}
