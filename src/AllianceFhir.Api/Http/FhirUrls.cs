using System.Globalization;
using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.References;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Http;

/// <summary>
/// Absolute URLs of this server, as FHIR wants them in Location headers, fullUrls and Bundle links. They start with
/// <c>Fhir:PublicBaseUrl</c> when configured; otherwise with the request's scheme and Host (which host filtering and,
/// behind configured proxies only, forwarded headers have vetted).
/// </summary>
public static class FhirUrls
{
    public const string BasePath = "/fhir";

    public static string Base(HttpRequest request) =>
        request.HttpContext.RequestServices.GetService<IOptions<FhirServerOptions>>()?.Value.PublicBaseUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}{BasePath}";

    /// <summary>
    /// The base as references spell it (<see cref="ServiceBase"/>), the one source write, search, integrity and compartment
    /// checks share: the <see cref="Base(HttpRequest)"/> of the request, which the access middleware puts in the caller's
    /// context; outside a request (background jobs) <c>Fhir:PublicBaseUrl</c>, or none when it is not configured.
    /// </summary>
    public static ServiceBase ServiceBaseOf(IServiceProvider services)
    {
        if (services.GetService<IHttpContextAccessor>()?.HttpContext is not { } http)
        {
            return ServiceBase.Of(services.GetService<IOptions<FhirServerOptions>>()?.Value.PublicBaseUrl);
        }

        return http.FindAccessContext()?.ServiceBase is { Url: not null } known ? known : ServiceBase.Of(Base(http.Request));
    }

    public static string Resource(HttpRequest request, string type, string id) => $"{Base(request)}/{type}/{id}";

    public static string Version(HttpRequest request, string type, string id, int versionId) =>
        $"{Resource(request, type, id)}/_history/{versionId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>This request's URL under the public base, with the given query string (e.g. a Bundle's self link).</summary>
    public static string Current(HttpRequest request, string query) => $"{Base(request)}{PathUnderBase(request)}{query}";

    /// <summary>This request's URL under the public base, with its own query string.</summary>
    public static string Current(HttpRequest request) => Current(request, request.QueryString.ToUriComponent());

    private static string PathUnderBase(HttpRequest request) =>
        request.Path.StartsWithSegments(BasePath, StringComparison.OrdinalIgnoreCase, out var rest)
            ? rest.ToUriComponent()
            : request.Path.ToUriComponent();
}
