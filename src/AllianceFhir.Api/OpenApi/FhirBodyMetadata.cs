namespace AllianceFhir.Api.OpenApi;

/// <summary>
/// Marks an endpoint whose body is a FHIR resource of this type, so the OpenAPI document can describe it.
/// <paramref name="Example"/> names the <see cref="FhirExamples"/> body when it is not the type's own.
/// </summary>
public sealed record FhirBodyMetadata(string ResourceType, bool Required = true, string? Example = null);
