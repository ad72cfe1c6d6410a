using System.Diagnostics;
using System.Globalization;
using System.Text;
using AllianceFhir.Core;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Instruments.Extraction;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Resolution;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// Where a WAI-SR submit's CPU and allocations go (issue 11). The real application runs in this process (the test
/// host: no sockets, nothing of the pipeline replaced) over a temp SQLite file; one caller submits one response at a
/// time, so every allocated byte and CPU millisecond of the process in a measured loop belongs to the submits. The
/// whole request is measured first, then each stage of it on its own: strict parse, the QuestionnaireResponse hook
/// (resolve, validate, score, extract), serialization and index extraction of the stored resources, the whole
/// write preparation, and the commit.
/// </summary>
internal static class SubmitProfile
{
    private const string FhirJson = "application/fhir+json";

    /// <summary>Set by <c>--allocations</c> (here and in profile-read): each figure also lists the types its allocations were sampled in.</summary>
    internal static AllocationSampler? Sampler;

    public static async Task<int> RunAsync(string[] args)
    {
        var submits = Option(args, "--submits", 2000);
        var warmup = Option(args, "--warmup", 3000);
        var rounds = Option(args, "--rounds", 2);
        using var sampler = args.Contains("--allocations") ? new AllocationSampler() : null;
        Sampler = sampler;
        var directory = Directory.CreateTempSubdirectory("alliancefhir-profile-").FullName;
        try
        {
            await using var app = new ProfiledApplication(Path.Combine(directory, "fhir.db"));
            using var client = app.CreateClient();
            await SampleResources.StoreReferencedAsync(client);

            var stages = new Stages(app.Services);
            Console.WriteLine($"warm-up: {warmup} submits over HTTP, then each stage {warmup / 4} times");
            await MeasureAsync("(warm-up)", warmup, n => SubmitAsync(client, n));
            await stages.RunAllAsync(warmup / 4);

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{submits} per figure, one at a time, {rounds} rounds"));
            Console.WriteLine("| stage | CPU µs per submit | KB allocated per submit | gen0 GCs per 1000 |");
            Console.WriteLine("|---|---:|---:|---:|");
            for (var round = 0; round < rounds; round++)
            {
                Print(await MeasureAsync("whole submit over HTTP (in-process test host)", submits, n => SubmitAsync(client, n)));
                foreach (var figure in await stages.RunAllAsync(submits))
                {
                    Print(figure);
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        return 0;
    }

    private static async Task SubmitAsync(HttpClient client, int n)
    {
        using var response = await client.PostAsync("/fhir/QuestionnaireResponse", new StringContent(SampleResources.WaiSrResponse(n), Encoding.UTF8, FhirJson));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Submit failed with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await response.Content.ReadAsByteArrayAsync();
    }

    internal static async Task<Figure> MeasureAsync(string name, int count, Func<int, Task> step)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var gen0 = GC.CollectionCount(0);
        Sampler?.Start();
        for (var n = 0; n < count; n++)
        {
            await step(n);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - bytes;
        process.Refresh();
        var used = process.TotalProcessorTime - cpu;
        IReadOnlyList<(string, double)> types = [];
        if (Sampler is { } sampler)
        {
            await Task.Delay(200); // the runtime's events reach the listener on its own thread, a little later
            types = sampler.Stop(top: 12);
        }

        return new Figure(name, used.TotalMicroseconds / count, allocated / 1024.0 / count, (GC.CollectionCount(0) - gen0) * 1000.0 / count, types);
    }

    private static void Print(Figure f)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {f.Name} | {f.CpuMicroseconds:F0} | {f.KilobytesAllocated:F1} | {f.Gen0PerThousand:F1} |"));
        foreach (var (type, share) in f.Types)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"|   sampled: {type} | | {share * f.KilobytesAllocated:F1} | |"));
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    internal sealed record Figure(string Name, double CpuMicroseconds, double KilobytesAllocated, double Gen0PerThousand, IReadOnlyList<(string Type, double Share)> Types);

    /// <summary>The stages of a submit, each on the server's own services, on inputs prepared outside the measured loop.</summary>
    private sealed class Stages(IServiceProvider services)
    {
        private readonly QuestionnaireResponseProcessor _processor = services.GetRequiredService<QuestionnaireResponseProcessor>();
        private readonly ISearchIndexer _indexer = services.GetRequiredService<ISearchIndexer>();
        private readonly ScoringEngine _scoring = services.GetRequiredService<ScoringEngine>();

        public async Task<List<Figure>> RunAllAsync(int count)
        {
            await using var scope = services.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant("default");
            var service = scope.ServiceProvider.ResourceServiceFor(store);
            var reader = scope.ServiceProvider.ResourceReaderFor(store);
            var figures = new List<Figure>();
            var bodies = Enumerable.Range(0, count).Select(n => Encoding.UTF8.GetBytes(SampleResources.WaiSrResponse(n))).ToArray();
            figures.Add(await MeasureAsync("strict parse (body checks + deserialize)", count, n =>
            {
                FhirSerialization.JsonDeserializer.DeserializeResource(FhirBodyGuard.CheckJson(bodies[n]));
                return Task.CompletedTask;
            }));

            var responses = Parse(bodies);
            var reference = responses[0].Questionnaire!;
            var pins = new QuestionnairePins();
            Questionnaire questionnaire = null!;
            figures.Add(await MeasureAsync("  of which: resolve the Questionnaire", count, async n =>
                questionnaire = await QuestionnaireResolver.ResolveAsync(reference, reader, CancellationToken.None, pins)));
            figures.Add(await MeasureAsync("  of which: validate the answers", count, n =>
            {
                QuestionnaireResponseValidator.Validate(questionnaire, responses[n], _scoring);
                return Task.CompletedTask;
            }));
            figures.Add(await MeasureAsync("  of which: score", count, n =>
            {
                _scoring.Score(questionnaire, responses[n]);
                return Task.CompletedTask;
            }));
            figures.Add(await MeasureAsync("  of which: extract the Observations", count, n =>
            {
                ObservationExtractor.Extract(questionnaire, responses[n], $"QuestionnaireResponse/{n}");
                return Task.CompletedTask;
            }));

            responses = Parse(bodies);
            var derived = new List<Resource>[count];
            figures.Add(await MeasureAsync("hook: resolve, validate, score, extract", count, async n =>
            {
                var observations = await _processor.ProcessAsync(responses[n], $"QuestionnaireResponse/{n}", reader, CancellationToken.None);
                derived[n] = [responses[n], .. observations];
            }));

            foreach (var resource in derived.SelectMany(d => d))
            {
                resource.Id = FhirId.New();
                resource.Meta = new Meta { VersionId = "1", LastUpdated = DateTimeOffset.UtcNow };
            }

            figures.Add(await MeasureAsync("serialize the 5 stored resources", count, n =>
            {
                foreach (var resource in derived[n])
                {
                    FhirSerialization.ToStoredJson(resource);
                }

                return Task.CompletedTask;
            }));
            figures.Add(await MeasureAsync("index rows of the 5 stored resources", count, n =>
            {
                foreach (var resource in derived[n])
                {
                    _indexer.Extract(resource);
                }

                return Task.CompletedTask;
            }));

            responses = Parse(bodies);
            var writes = new List<ResourceWrite>[count];
            var resources = new IReadOnlyList<Resource?>[count];
            figures.Add(await MeasureAsync("prepare (hook + meta + serialize + index + reference checks)", count, async n =>
            {
                var prepared = await service.PrepareWriteAsync(WriteOperation.Create, "QuestionnaireResponse", FhirId.New(), responses[n], null, "POST", reader, CancellationToken.None);
                writes[n] = prepared.Writes;
                resources[n] = prepared.Resources;
            }));
            var integrity = new ReferentialIntegrity(store, ReferentialIntegrityOnDelete.Enforce, ServiceBase.None);
            figures.Add(await MeasureAsync("  of which: reference checks of the 5 writes", count, async n =>
                await integrity.EnforceAsync(writes[n], resources[n], reader, CancellationToken.None)));
            figures.Add(await MeasureAsync("commit of the prepared writes (store)", count, n => store.CommitAsync(writes[n], CancellationToken.None)));
            return figures;
        }

        private static QuestionnaireResponse[] Parse(byte[][] bodies) =>
            [.. bodies.Select(b => (QuestionnaireResponse)FhirSerialization.JsonDeserializer.DeserializeResource(FhirBodyGuard.CheckJson(b)))];
    }

    /// <summary>The API as the tests host it: Development (open), its own SQLite file, quiet logs, no rate limit.</summary>
    private sealed class ProfiledApplication(string database) : WebApplicationFactory<AllianceFhir.Api.Http.FhirRequestReader>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Fhir"] = $"Data Source={database}",
                ["Storage:Provider"] = "Sqlite",
                ["RateLimit:PermitLimit"] = "1000000000",
            };
            builder.UseEnvironment("Development");
            builder.UseContentRoot(Path.Combine(BenchmarkRunner.RepositoryRoot(), "src", "AllianceFhir.Api"));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        }
    }
}
