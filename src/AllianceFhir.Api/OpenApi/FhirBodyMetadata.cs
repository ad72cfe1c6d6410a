namespace AllianceFhir.Api.OpenApi;

/// <summary>Marks an endpoint whose body is a FHIR resource of this type, so the OpenAPI document can describe it.</summary>
public sealed record FhirBodyMetadata(string ResourceType);
