using System.Text.Json.Nodes;
using AllianceFhir.Api.Http;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace AllianceFhir.Api.OpenApi;

/// <summary>
/// Describes what the handlers read themselves, so Swagger UI can send working requests: FHIR request bodies (strict
/// FHIR parsing, not model binding) with an example from <see cref="FhirExamples"/>, search parameters from the
/// registered definitions, operation query parameters, and examples for the {id} and {vid} path parameters.
/// </summary>
public sealed class FhirOperationFilter(SearchParameterRegistry registry) : IOperationFilter
{
    /// <summary>The R4 result parameters (search.html#Summary …) a type-level search applies.</summary>
    private static readonly (string Name, string Description, string[]? Values)[] ResultParameterDocs =
    [
        ("_count", "Page size: at most this many matches per page", null),
        ("_sort", "Comma-separated parameter names to sort by; '-' before a name sorts descending (e.g. -_lastUpdated)", null),
        ("_include", "Also return resources the matches reference: Type:parameter[:target] (repeat for more; :iterate follows them)", null),
        ("_revinclude", "Also return resources that reference the matches: Type:parameter[:target] (repeat for more)", null),
        ("_summary", "Return only a summary of each match", ["true", "text", "data", "count", "false"]),
        ("_elements", "Comma-separated top-level elements to return (the result is marked SUBSETTED)", null),
        ("_total", "Whether and how to count all matches in Bundle.total", ["none", "estimate", "accurate"]),
    ];

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        operation.Parameters ??= [];

        var body = metadata.OfType<FhirBodyMetadata>().FirstOrDefault();
        if (body is not null && !HttpMethods.IsGet(context.ApiDescription.HttpMethod ?? string.Empty))
        {
            operation.RequestBody = RequestBody(body);
        }

        if (metadata.OfType<FhirSearchMetadata>().FirstOrDefault() is { } search)
        {
            AddSearchParameters(operation, search);
        }

        foreach (var query in metadata.OfType<FhirQueryMetadata>().SelectMany(m => m.Parameters))
        {
            var schema = query.FhirType == "boolean" ? new OpenApiSchema { Type = JsonSchemaType.Boolean } : StringSchema();
            // A boolean's example must be a JSON boolean, or linters (and Swagger UI's form) read it as a string.
            JsonNode? example = query.Example is null ? null
                : query.FhirType == "boolean" && bool.TryParse(query.Example, out var flag) ? JsonValue.Create(flag)
                : JsonValue.Create(query.Example);
            Add(operation, query.Name, query.Required, $"{query.FhirType}: {query.Description}", schema, example);
        }

        var idExample = metadata.OfType<FhirIdExampleMetadata>().FirstOrDefault()?.Id ?? FhirExamples.Id;
        foreach (var path in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path))
        {
            (path.Example, path.Description) = path.Name switch
            {
                "id" => (JsonValue.Create(idExample), "The resource's logical id"),
                "vid" => (JsonValue.Create("1"), "The version id (meta.versionId)"),
                "input" => (JsonValue.Create(0), "The input's position in the job's request (0 for the first)"),
                "file" => (JsonValue.Create("Patient.ndjson"), "An output or error file of the export, as its manifest names it"),
                _ => (path.Example, path.Description),
            };
        }

        // Every FHIR endpoint negotiates its response format; one it cannot produce is a 406 with an OperationOutcome.
        if (operation.Responses?.Values.FirstOrDefault()?.Content is { } content && !operation.Responses.ContainsKey("406"))
        {
            operation.Responses["406"] = new OpenApiResponse
            {
                Description = "Not Acceptable: Accept or _format asks for a format other than FHIR JSON or XML",
                Content = content,
            };
        }

        Add(operation, "_format", required: false, "Response format: json, xml or a FHIR media type (overrides Accept)", StringSchema());
        Add(operation, "_pretty", required: false, "true to indent the response", new OpenApiSchema { Type = JsonSchemaType.Boolean });
    }

    private static OpenApiRequestBody RequestBody(FhirBodyMetadata body) => new()
    {
        Required = body.Required,
        Description = body.Required
            ? $"A {body.ResourceType} resource in FHIR JSON or XML"
            : $"Optional: a {body.ResourceType} resource in FHIR JSON or XML (an empty one, or no body, means no parameters)",
        Content = new Dictionary<string, IOpenApiMediaType>
        {
            [FhirMediaTypes.Json] = new OpenApiMediaType
            {
                Schema = FhirResourceSchema(),
                Example = JsonNode.Parse(FhirExamples.For(body.Example ?? body.ResourceType)),
            },
            [FhirMediaTypes.Xml] = new OpenApiMediaType { Schema = FhirResourceSchema() },
        },
    };

    private void AddSearchParameters(OpenApiOperation operation, FhirSearchMetadata search)
    {
        if (search.ResourceType is null)
        {
            Add(operation, "_type", required: false, "Comma-separated resource types to search (default: all)", StringSchema());
        }

        // A whole-system search applies the Resource-level parameters only; they are the same for every type.
        var type = search.ResourceType ?? registry.ResourceTypes.Order(StringComparer.Ordinal).First();
        foreach (var parameter in registry.For(type)
                     .Where(p => search.ResourceType is not null || p.Name.StartsWith('_'))
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            // A conditional write of an example body finds it by its id, so "Try it out" updates (or creates) exactly it.
            JsonNode? example = search.ConditionalWrite && parameter.Name == "_id" ? JsonValue.Create(FhirExamples.Id) : null;
            Add(operation, parameter.Name, required: false, Describe(parameter), StringSchema(), example);
        }

        if (search.ConditionalWrite)
        {
            return;
        }

        foreach (var (name, description, values) in ResultParameterDocs.Where(r => search.ResourceType is not null || ResultParameters.AcrossTypes.Contains(r.Name)))
        {
            var schema = name == "_count"
                ? new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" }
                : StringSchema();
            if (values is not null)
            {
                schema.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
            }

            Add(operation, name, required: false, description, schema);
        }
    }

    private static string Describe(SearchParameterInfo parameter)
    {
        var type = parameter.Type.ToString().ToLowerInvariant();
        var targets = parameter.Type == SearchParamType.Reference && parameter.Targets.Count > 0
            ? $" (to {string.Join(", ", parameter.Targets)})"
            : string.Empty;
        return $"{type}{targets}: {parameter.Documentation ?? parameter.Expression}";
    }

    private static OpenApiSchema StringSchema() => new() { Type = JsonSchemaType.String };

    private static OpenApiSchema FhirResourceSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "A FHIR R4 resource (see https://hl7.org/fhir/R4/)",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["resourceType"] = new OpenApiSchema { Type = JsonSchemaType.String },
        },
        Required = new HashSet<string> { "resourceType" },

        // Every other element of the resource; without this, linters read the examples' elements as unexpected.
        AdditionalProperties = new OpenApiSchema(),
    };

    private static void Add(OpenApiOperation operation, string name, bool required, string description, OpenApiSchema schema, JsonNode? example = null)
    {
        if (operation.Parameters!.Any(p => p.Name == name && p.In == ParameterLocation.Query))
        {
            return;
        }

        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Query,
            Required = required,
            Description = description,
            Schema = schema,
            Example = example,
        });
    }
}
