using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Testing;

namespace AllianceFhir.Api.Tests.OpenApi;

/// <summary>
/// What Swagger UI's "Try it out" sends must work: every request body example and every operation with a required
/// query parameter, sent as the document describes it (path and query examples filled in), answers 2xx on a server
/// where the README's first request has already run. The search parameters come from the registered definitions.
/// </summary>
public partial class OpenApiExampleTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete"];

    [Fact]
    public async Task Every_example_request_in_the_document_succeeds_after_the_readme_first_request()
    {
        using var app = new FhirApplication();
        using var client = app.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;

        using var readme = await client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(ReadmeFirstBody()));
        Assert.True(readme.IsSuccessStatusCode, $"README's first request: {(int)readme.StatusCode}");

        var requests = ExampleRequests(document).ToList();
        Assert.True(requests.Count >= 35, $"only {requests.Count} example requests in the document");
        foreach (var request in requests)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method.ToUpperInvariant()), request.Url);
            if (request.Body is not null)
            {
                message.Content = FhirHttp.JsonBody(request.Body);
            }

            using var response = await client.SendAsync(message);
            Assert.True(
                response.IsSuccessStatusCode,
                $"{request.OperationId}: {request.Method.ToUpperInvariant()} {request.Url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Search_lists_the_types_registered_parameters_and_the_result_parameters()
    {
        using var app = new FhirApplication();
        var document = JsonNode.Parse(await app.CreateClient().GetStringAsync("/swagger/v1/swagger.json"))!;

        var search = Parameters(document["paths"]!["/fhir/QuestionnaireResponse"]!["get"]!);
        var populate = Parameters(document["paths"]!["/fhir/Questionnaire/{id}/$populate"]!["get"]!);

        Assert.Superset(
            new HashSet<string> { "subject", "patient", "questionnaire", "status", "authored", "_id", "_lastUpdated", "_count", "_sort", "_include", "_revinclude", "_summary", "_elements", "_total" },
            search.Keys.ToHashSet());
        Assert.StartsWith("reference", search["subject"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(populate["subject"]!["required"]!.GetValue<bool>());
    }

    private static Dictionary<string, JsonNode> Parameters(JsonNode operation) =>
        operation["parameters"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);

    /// <summary>
    /// The examples in the order a person would try them: the referenced resources (PUT with their example id) before
    /// what references them, then the rest in document order.
    /// </summary>
    private static IEnumerable<ExampleRequest> ExampleRequests(JsonNode document)
    {
        var all = new List<ExampleRequest>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var method in Methods.Where(m => item![m] is not null))
            {
                var operation = item![method]!;
                var body = operation["requestBody"]?["content"]?["application/fhir+json"]?["example"]?.ToJsonString();
                var parameters = operation["parameters"]?.AsArray().Select(p => p!).ToList() ?? [];
                if (body is null && !parameters.Any(p => p["in"]!.GetValue<string>() == "query" && p["required"]?.GetValue<bool>() == true))
                {
                    continue;
                }

                var url = path;
                var query = new List<string>();
                foreach (var parameter in parameters)
                {
                    var name = parameter["name"]!.GetValue<string>();
                    var example = parameter["example"]?.GetValue<string>();
                    if (parameter["in"]!.GetValue<string>() == "path")
                    {
                        Assert.True(example is not null, $"{path}: path parameter {name} has no example");
                        url = url.Replace($"{{{name}}}", Uri.EscapeDataString(example), StringComparison.Ordinal);
                    }
                    else if (example is not null)
                    {
                        query.Add($"{name}={Uri.EscapeDataString(example)}");
                    }
                }

                all.Add(new ExampleRequest(operation["operationId"]!.GetValue<string>(), method, query.Count == 0 ? url : $"{url}?{string.Join('&', query)}", body));
            }
        }

        string[] referencedFirst = ["update-Patient", "update-Practitioner", "update-Organization"];
        return all.OrderBy(r => Array.IndexOf(referencedFirst, r.OperationId) is var i and >= 0 ? i : referencedFirst.Length)
            .ThenBy(r => r.OperationId.StartsWith("update-", StringComparison.Ordinal) ? 0 : 1);
    }

    /// <summary>The JSON body of the README's first curl request, so the test follows the README.</summary>
    private static string ReadmeFirstBody()
    {
        var readme = File.ReadAllText(Path.Combine(ConformanceData.RepositoryRoot, "README.md"));
        return CurlBody().Match(readme) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("README.md has no curl request with a -d '{…}' body");
    }

    [GeneratedRegex("-d '(\\{.*?\\})'", RegexOptions.Singleline)]
    private static partial Regex CurlBody();

    private sealed record ExampleRequest(string OperationId, string Method, string Url, string? Body);
}
