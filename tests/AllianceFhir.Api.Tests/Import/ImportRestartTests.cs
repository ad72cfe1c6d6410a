using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Import;

/// <summary>
/// A job interrupted by a restart resumes from its last checkpoint: every line imported once, none lost. The lease is
/// ten minutes long, longer than the test waits: the stopping server must hand the job back, or the second server
/// would not touch it until the lease ran out.
/// </summary>
public sealed partial class ImportRestartTests
{
    private const int Lines = 3000;

    [Fact]
    public async Task A_restart_mid_job_resumes_without_duplicates_or_losses()
    {
        var folder = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", Guid.NewGuid().ToString("N"));
        var ndjson = ImportClient.Ndjson([.. Enumerable.Range(0, Lines).Select(i => (Resource)Patients.WithMrn($"restart-{i}"))]);
        string status;
        string database;
        long processedAtStop;
        using (var first = Configure(new FhirApplication { KeepDatabase = true }, folder))
        {
            database = first.DatabasePath;
            using var client = first.CreateClient();
            using var start = await ImportClient.UploadAsync(client, ndjson, "Patient");
            status = ImportClient.Accepted(start);
            processedAtStop = await WaitForSomeProgressAsync(client, status);
        }

        Assert.InRange(processedAtStop, 1, Lines - 1);
        try
        {
            Assert.Equal("Running", JobStatus(database));

            using var second = Configure(new FhirApplication(), folder).With("ConnectionStrings:Fhir", $"Data Source={database}");
            using var client = second.CreateClient();
            var manifest = await ImportClient.ManifestAsync(client, status);

            Assert.Equal(Lines, ImportClient.Count(manifest, 0));
            Assert.Equal(Lines, await ImportClient.TotalAsync(client, "Patient?identifier=http://clinic.example.org/mrn|"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>What the stopped server left in the database: the job, still running, waiting for the next worker.</summary>
    private static string? JobStatus(string database)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Status FROM ImportJobs";
        return command.ExecuteScalar() as string;
    }

    private static FhirApplication Configure(FhirApplication app, string folder) => app
        .With("Import:Folder", folder)
        .With("Import:BatchSize", "5")
        .With("Import:LeaseSeconds", "600")
        .With("Import:PollMilliseconds", "100");

    /// <summary>Polls (bounded) until the job has committed some lines but not all; returns how many.</summary>
    private static async Task<long> WaitForSomeProgressAsync(HttpClient client, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(status);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var match = Processed().Match(response.Headers.GetValues("X-Progress").Single());
            var processed = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (processed > 0)
            {
                return processed;
            }

            await System.Threading.Tasks.Task.Delay(20);
        }

        return 0;
    }

    [GeneratedRegex("([0-9]+) lines processed")]
    private static partial Regex Processed();
}
