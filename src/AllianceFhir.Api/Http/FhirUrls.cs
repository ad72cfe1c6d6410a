using System.Globalization;

namespace AllianceFhir.Api.Http;

/// <summary>Absolute URLs of this server, as FHIR wants them in Location headers and Bundle fullUrls.</summary>
public static class FhirUrls
{
    public const string BasePath = "/fhir";

    public static string Base(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}{BasePath}";

    public static string Resource(HttpRequest request, string type, string id) => $"{Base(request)}/{type}/{id}";

    public static string Version(HttpRequest request, string type, string id, int versionId) =>
        $"{Resource(request, type, id)}/_history/{versionId.ToString(CultureInfo.InvariantCulture)}";
}
