using System.Net;
using AllianceFhir.Api.Configuration;
using AllianceFhir.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace AllianceFhir.Api.Tests.Configuration;

public class SqliteDataSourceTests
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    /// <summary>Where WebApplicationFactory (and <c>dotnet run</c>) put the content root: the Api project folder.</summary>
    private static readonly string ContentRoot = Path.Combine(RepositoryRoot, "src", "AllianceFhir.Api");

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AllianceFhir.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("AllianceFhir.sln not found above the test binaries");
    }

    [Fact]
    public async Task A_relative_database_path_is_taken_from_the_content_root_not_the_working_directory()
    {
        var folder = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", $"relative-{Guid.NewGuid():N}");
        var file = Path.Combine(folder, "fhir.db");
        try
        {
            using (var app = new FhirApplication().With("ConnectionStrings:Fhir", $"Data Source={Path.GetRelativePath(ContentRoot, file)}"))
            {
                using var created = await app.CreateClient().PostAsync("/fhir/Patient", Patients.WithMrn("relative-path"));
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            Assert.True(File.Exists(file), $"expected the database at {file}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void In_development_the_database_is_the_repository_data_folder_the_readme_names()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(ContentRoot)
            .AddJsonFile("appsettings.json")
            .AddJsonFile("appsettings.Development.json")
            .Build();

        var connectionString = SqliteDataSource.UnderContentRoot(configuration.GetConnectionString("Fhir")!, ContentRoot);

        Assert.Equal(
            Path.Combine(RepositoryRoot, "data", "alliancefhir.db"),
            new SqliteConnectionStringBuilder(connectionString).DataSource);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=/var/lib/alliancefhir/fhir.db")]
    [InlineData("Data Source=file:shared?mode=memory&cache=shared")]
    public void Memory_absolute_and_uri_data_sources_are_left_alone(string connectionString) =>
        Assert.Equal(connectionString, SqliteDataSource.UnderContentRoot(connectionString, ContentRoot));
}
