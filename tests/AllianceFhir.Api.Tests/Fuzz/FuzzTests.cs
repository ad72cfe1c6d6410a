using System.Globalization;
using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Testing;
using CsCheck;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Fuzz;

/// <summary>
/// Thousands of malformed requests through the real app over every input path (JSON, XML, search, Bundles,
/// operations, headers). Whatever arrives, the server answers below 500 within a bound, refuses with an
/// OperationOutcome, stores nothing for what it refused, and keeps serving everything it did store.
/// Set FUZZ_SEED to replay a seed CsCheck printed; FUZZ_ITERATIONS for a longer soak.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan RequestBound = TimeSpan.FromSeconds(30);

    private readonly FhirApplication _app = new();

    [Fact]
    public async Task Mutated_requests_on_every_path_never_break_the_server()
    {
        await RunAsync(FuzzSeeds.Writes(), Iterations(2_500));
    }

    [SkippableFact]
    public async Task Mutated_HL7_examples_never_break_the_server()
    {
        var folder = ConformanceData.Require("r4-examples");
        await RunAsync([.. FuzzSeeds.Writes(), .. FuzzSeeds.Hl7Examples(folder)], Iterations(1_000));
    }

    private async Task RunAsync(IReadOnlyList<(string Method, string Url, Resource Body)> writes, int iterations)
    {
        var client = _app.CreateClient();
        using (var created = await client.PutAsync($"/fhir/Patient/{FuzzSeeds.PatientId}", FuzzSeeds.Patient()))
        {
            Assert.True(created.IsSuccessStatusCode, $"seed patient: {(int)created.StatusCode}");
        }

        var statuses = new Dictionary<int, int>();
        await Mutations.Requests(writes).SampleAsync(
            async request =>
            {
                if (await SendAndCheckAsync(client, request) is { } status)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                }
            },
            writeLine: output.WriteLine,
            seed: Environment.GetEnvironmentVariable("FUZZ_SEED"),
            iter: iterations,
            threads: 1,
            print: request => request.ToString());

        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));

        // A replay of one printed seed (FUZZ_ITERATIONS=1) sends one request: only a soak can show the generator's spread.
        if (iterations > 100)
        {
            Assert.True(statuses.Keys.Any(s => s >= 400), "the generator produced no refused request at all");
            Assert.True(statuses.Keys.Any(s => s < 300), "the generator produced no accepted request at all");
        }
        await AssertStillServingAsync(client);
    }

    /// <summary>Sends one request and checks the promises; returns its status for the summary (null: never reaches the app).</summary>
    private async Task<int?> SendAndCheckAsync(HttpClient client, FuzzRequest request)
    {
        if (request.PathHasNul)
        {
            // Kestrel answers a request line whose path decodes to NUL with its own 400 before any middleware runs,
            // and TestHost throws building such a request: no code of ours is involved either way.
            return null;
        }

        var before = StoredVersions();
        using var timeout = new CancellationTokenSource(RequestBound);
        using var message = request.ToMessage();
        using var response = await client.SendAsync(message, timeout.Token);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(timeout.Token);

        Assert.True(status < 500, $"{status} for {request}\n{body[..Math.Min(body.Length, 2_000)]}");
        if (status >= 400)
        {
            Assert.True(StoredVersions() == before, $"{status} but something was stored for {request}");
            // The client resolves dot segments, so Patient/../../x can leave the FHIR base: only FHIR endpoints
            // promise an OperationOutcome.
            if (response.RequestMessage?.RequestUri?.AbsolutePath.StartsWith("/fhir", StringComparison.Ordinal) != false)
            {
                var outcome = ParseOutcome(response, body);
                Assert.True(outcome is { Issue.Count: > 0 }, $"{status} without an OperationOutcome for {request}: {body[..Math.Min(body.Length, 500)]}");
            }
        }
        else if (!request.IsWrite)
        {
            Assert.True(StoredVersions() == before, $"a {request.Method} stored something: {request}");
        }

        return status;
    }

    /// <summary>Whatever was accepted stays readable in every format, and the server still takes ordinary work.</summary>
    private static async Task AssertStillServingAsync(HttpClient client)
    {
        using (var health = await client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        foreach (var format in new[] { "json", "xml" })
        {
            string? next = $"/fhir/_history?_count=200&_format={format}";
            for (var page = 0; next is not null && page < 100; page++)
            {
                using var history = await client.GetAsync(next);
                var text = await history.Content.ReadAsStringAsync();
                Assert.True(history.StatusCode == HttpStatusCode.OK, $"history as {format}: {(int)history.StatusCode} {text[..Math.Min(text.Length, 500)]}");
                var bundle = await history.ReadAsAsync<Bundle>();
                next = bundle.NextLink?.PathAndQuery;
            }
        }

        using var created = await client.PostAsync("/fhir/Patient", Patients.WithMrn("after-fuzz"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static OperationOutcome? ParseOutcome(HttpResponseMessage response, string body)
    {
        try
        {
            var resource = response.Content.Headers.ContentType?.MediaType?.Contains("xml", StringComparison.Ordinal) == true
                ? FhirSerialization.XmlDeserializer.DeserializeResource(body)
                : FhirSerialization.JsonDeserializer.DeserializeResource(body);
            return resource as OperationOutcome;
        }
        catch (Exception ex) when (ex is Hl7.Fhir.Serialization.DeserializationFailedException or FormatException or System.Text.Json.JsonException or System.Xml.XmlException)
        {
            return null;
        }
    }

    /// <summary>Versions in the database, read beside the app: audit records are not the client's data.</summary>
    private long StoredVersions()
    {
        using var connection = new SqliteConnection($"Data Source={_app.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Resources WHERE ResourceType <> 'AuditEvent'";
        return (long)command.ExecuteScalar()!;
    }

    private static int Iterations(int standard) =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : standard;

    public void Dispose() => _app.Dispose();
}
