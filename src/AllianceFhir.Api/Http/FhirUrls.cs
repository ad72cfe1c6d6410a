using System.Globalization;
using AllianceFhir.Api.Configuration;
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
