namespace AllianceFhir.Api.Http;

public enum FhirFormat
{
    Json,
    Xml,
}
