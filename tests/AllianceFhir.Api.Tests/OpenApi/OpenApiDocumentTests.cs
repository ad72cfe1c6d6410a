using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.OpenApi;

/// <summary>
/// The checked-in OpenAPI document must be what the app serves. To regenerate it after an API change:
/// <c>UPDATE_OPENAPI=1 dotnet test tests/AllianceFhir.Api.Tests --filter OpenApiDocumentTests</c>.
/// </summary>
public class OpenApiDocumentTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    [Fact]
    public async Task Committed_openapi_document_matches_what_the_app_serves()
    {
        var served = Normalize(await app.CreateClient().GetStringAsync("/swagger/v1/swagger.json"));
        var path = Path.Combine(RepositoryRoot(), "openapi", "alliancefhir.openapi.json");

        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served);
        }

        Assert.True(File.Exists(path), $"{path} is missing; regenerate it with UPDATE_OPENAPI=1 (see this class's summary)");
        var committed = Normalize(await File.ReadAllTextAsync(path));
        Assert.True(
            committed == served,
            "openapi/alliancefhir.openapi.json differs from the served document; regenerate it: "
            + "UPDATE_OPENAPI=1 dotnet test tests/AllianceFhir.Api.Tests --filter OpenApiDocumentTests");
    }

    private static string Normalize(string json) => json.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AllianceFhir.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AllianceFhir.sln not found above the test assembly");
    }
}
