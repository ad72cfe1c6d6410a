using AllianceFhir.Api.Http;

namespace AllianceFhir.Api.App;

/// <summary>Where the pages live: beside the FHIR base, so a public base URL (<c>Fhir:PublicBaseUrl</c>) moves both.</summary>
public static class AppUrls
{
    /// <summary>The site root the FHIR base hangs under (<c>https://fhir.example.org/fhir</c> → <c>https://fhir.example.org</c>).</summary>
    public static string Root(HttpRequest request)
    {
        var fhirBase = FhirUrls.Base(request);
        return fhirBase.EndsWith(FhirUrls.BasePath, StringComparison.OrdinalIgnoreCase) ? fhirBase[..^FhirUrls.BasePath.Length] : fhirBase;
    }
}
