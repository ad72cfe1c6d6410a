using System.Net;
using System.Text.Json;
using AllianceFhir.Api.Tests.Infrastructure;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>
/// An export interrupted by a restart resumes from its last checkpoint in a second server on the same database: every
/// resource exactly once. The lease is ten minutes, longer than the test waits, so the stopping server must hand the
/// job back.
/// </summary>
public sealed class ExportRestartTests
{
    private const int Count = 400;

    private static FhirApplication Configure(FhirApplication app, string folder) => app
        .With("Export:Folder", folder)
        .With("Export:PageSize", "1")
        .With("Export:LeaseSeconds", "600")
        .With("Export:PollMilliseconds", "100");

    [Fact]
    public async Task A_restart_mid_export_resumes_without_duplicates_or_losses()
    {
        var folder = Path.Combine(Path.GetTempPath(), "alliancefhir-tests", Guid.NewGuid().ToString("N"));
        string status;
        string database;
        long writtenAtStop;
        using (var first = Configure(new FhirApplication { KeepDatabase = true }, folder))
        {
            database = first.DatabasePath;
            using var client = first.CreateClient();
            await ExportData.PatientsAsync(client, [.. Enumerable.Range(0, Count).Select(i => $"r{i}")]);
            status = await ExportClient.StartAsync(client, "/fhir/$export?_type=Patient");
            writtenAtStop = await WaitForSomeProgressAsync(client, status);
        }

        Assert.InRange(writtenAtStop, 1, Count - 1);
        try
        {
            Assert.Equal("Running", await ExportJobRows.StatusAsync(database));

            using var second = Configure(new FhirApplication(), folder).With("ConnectionStrings:Fhir", $"Data Source={database}");
            using var client = second.CreateClient();
            var manifest = await ExportClient.ManifestAsync(client, status);
            var patients = await ExportClient.DownloadAsync(client, ExportClient.Outputs(manifest)["Patient"].Url);

            Assert.Equal(Count, ExportClient.Outputs(manifest)["Patient"].Count);
            Assert.Equal(Count, patients.Select(p => p.Id).Distinct().Count());
            Assert.Equal(Count, patients.Count);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task<long> WaitForSomeProgressAsync(HttpClient client, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(status);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var progress = response.Headers.GetValues("X-Progress").Single();
            var written = long.Parse(progress.Split("; ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            if (written > 0)
            {
                return written;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("the export made no progress");
    }
}
