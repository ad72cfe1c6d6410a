namespace AllianceFhir.Api.OpenApi;

/// <summary>Query parameters an endpoint reads itself (operations take them from the query string on GET).</summary>
public sealed record FhirQueryMetadata(params FhirQueryParameter[] Parameters);

/// <summary>One query parameter: its FHIR type, meaning and a value that works against a fresh server.</summary>
public sealed record FhirQueryParameter(string Name, string FhirType, string Description, bool Required = false, string? Example = null);

/// <summary>
/// Marks a type-level endpoint that reads search parameters (search, conditional update), so the document lists the
/// type's registered parameters; a null type is the whole-system search.
/// </summary>
public sealed record FhirSearchMetadata(string? ResourceType, bool ConditionalWrite = false);

/// <summary>The example of the <c>{id}</c> path parameter where it is not <see cref="FhirExamples.Id"/>.</summary>
public sealed record FhirIdExampleMetadata(string Id);
