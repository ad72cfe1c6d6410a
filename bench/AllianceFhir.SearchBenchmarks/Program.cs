using System.Diagnostics;
using System.Globalization;
using AllianceFhir.Benchmarks;
using AllianceFhir.SearchBenchmarks;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

// Seeding and measuring the search benchmark of issue 3. Usage (see docs/performance.md):
//   seed    --db <file> --patients <n> --per-patient <n>
//   measure --db <file> --patients <n> --per-patient <n> [--iterations <n>] [--warmup <n>]
//   export  --db <file> [--page-size <n>] [--api <AllianceFhir.Api.dll>]
//           (a system $export of the seed over HTTP: resources/s and server RSS; --api runs another build, for A/B runs)
var command = args.FirstOrDefault();
var options = Options(args.Skip(1).ToArray());
var db = options.GetValueOrDefault("db") ?? "data/bench.db";
var patients = int.Parse(options.GetValueOrDefault("patients") ?? "1000", CultureInfo.InvariantCulture);
var perPatient = int.Parse(options.GetValueOrDefault("per-patient") ?? "100", CultureInfo.InvariantCulture);

switch (command)
{
    case "seed":
        await SeedAsync(db, patients, perPatient);
        break;
    case "measure":
        await MeasureAsync(
            db,
            patients,
            perPatient,
            int.Parse(options.GetValueOrDefault("iterations") ?? "300", CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("warmup") ?? "500", CultureInfo.InvariantCulture));
        break;
    case "export":
        await ExportBenchmark.RunAsync(
            db,
            options.GetValueOrDefault("page-size") is { } pageSize ? int.Parse(pageSize, CultureInfo.InvariantCulture) : null,
            options.GetValueOrDefault("api") ?? Path.Combine(RepositoryRoot(), "src", "AllianceFhir.Api", "bin", "Release", "net10.0", "AllianceFhir.Api.dll"));
        break;
    default:
        Console.Error.WriteLine("usage: seed|measure|export --db <file> --patients <n> --per-patient <n> [--iterations <n>] [--warmup <n>]");
        return 2;
}

return 0;

static Dictionary<string, string> Options(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i].TrimStart('-')] = args[i + 1];
    }

    return result;
}

static async Task SeedAsync(string path, int patients, int perPatient)
{
    await using var services = BenchStorage.Services(path);
    await using var scope = services.CreateAsyncScope();
    await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.MigrateAsync();
    var indexer = new SearchIndexer(scope.ServiceProvider.GetRequiredService<SearchParameterRegistry>());
    var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant("default");
    var clock = Stopwatch.StartNew();
    var (extractTime, commitTime) = (TimeSpan.Zero, TimeSpan.Zero);
    const int patientsPerCommit = 5;
    for (var first = 0; first < patients; first += patientsPerCommit)
    {
        var resources = new List<Resource>();
        for (var p = first; p < Math.Min(patients, first + patientsPerCommit); p++)
        {
            resources.Add(BenchData.Patient(p));
            for (var k = 0; k < perPatient; k++)
            {
                resources.Add(BenchData.Response(p, k));
                resources.Add(BenchData.Score(p, k));
            }
        }

        // Index extraction (FHIRPath) is the CPU-heavy part; it runs in parallel, the commit does not.
        var now = DateTimeOffset.UtcNow;
        var extractStarted = Stopwatch.GetTimestamp();
        var writes = resources.AsParallel().AsOrdered().Select(r =>
        {
            r.Meta = new Meta { VersionId = "1", LastUpdated = now };
            return new ResourceWrite(r.TypeName, r.Id!, 1, now, false, FhirSerialization.JsonSerializer.SerializeToString(r), "POST", indexer.Extract(r));
        }).ToList();
        extractTime += Stopwatch.GetElapsedTime(extractStarted);
        var commitStarted = Stopwatch.GetTimestamp();
        await store.CommitAsync(writes, CancellationToken.None);
        commitTime += Stopwatch.GetElapsedTime(commitStarted);
        if ((first / patientsPerCommit) % 20 == 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{first + patientsPerCommit} patients, {clock.Elapsed.TotalSeconds:F0} s (extract {extractTime.TotalSeconds:F0} s, commit {commitTime.TotalSeconds:F0} s)"));
        }
    }

    await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.ExecuteSqlRawAsync("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {patients} patients × {perPatient} responses (+ observations) in {clock.Elapsed.TotalMinutes:F1} min"));
}

static async Task MeasureAsync(string path, int patients, int perPatient, int iterations, int warmup)
{
    var shapes = Shapes(patients, perPatient);
    await using (var services = BenchStorage.Services(path))
    await using (var scope = services.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var parser = new SearchQueryParser(scope.ServiceProvider.GetRequiredService<SearchParameterRegistry>());
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant("default");
        var total = await db.Resources.CountAsync(r => r.ResourceType == "QuestionnaireResponse" && !r.IsHistory);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} QuestionnaireResponses in {path}; {iterations} timed runs per shape after {warmup} warm-up runs (the tiered JIT needs a few hundred)"));
        Console.WriteLine();
        Console.WriteLine("In process (parse the parameters, run the page and its next-page cursor, load the stored JSON):");
        await TimeShapesAsync(shapes, iterations, warmup, async (type, query) =>
        {
            var parameters = query.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], Uri.UnescapeDataString(p[1])));
            var result = await store.SearchAsync(SearchRequest.ForType(parser.Parse(type, parameters)), CancellationToken.None);
            return result.Matches.Count;
        });
    }

    // The whole API in its own process over the same file: HTTP, the search, and the searchset Bundle written out.
    var api = Path.Combine(RepositoryRoot(), "src", "AllianceFhir.Api", "bin", "Release", "net10.0", "AllianceFhir.Api.dll");
    await using var server = await AllianceFhir.Benchmarks.ServerProcess.StartAsync(
        api, Path.GetDirectoryName(api)!, "/healthz", [$"--ConnectionStrings:Fhir=Data Source={Path.GetFullPath(path)}"]);
    using var client = new HttpClient { BaseAddress = server.BaseAddress };
    Console.WriteLine();
    Console.WriteLine("Over HTTP (GET with Accept: application/fhir+json, one client, the response read to the end):");
    await TimeShapesAsync(shapes, iterations, warmup, async (type, query) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/{type}?{query}");
        request.Headers.Accept.ParseAdd("application/fhir+json");
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var bundle = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return bundle.RootElement.TryGetProperty("entry", out var entries) ? entries.GetArrayLength() : 0;
    });
}

// The three searches of the issue, with random patients (fixed seed) so every run asks the same questions.
static (string Name, string Type, Func<string> Query)[] Shapes(int patients, int perPatient)
{
    var random = new Random(42);
    var (url, version, _) = BenchData.Instruments[1];
    var (_, _, code) = BenchData.Instruments[0];
    var midpoint = BenchData.Authored(0, perPatient / 2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    return
    [
        ("QR?subject=…&_sort=-authored&_count=20", "QuestionnaireResponse",
            () => $"subject=Patient/{BenchData.PatientId(random.Next(patients))}&_sort=-authored&_count=20"),
        ("QR?questionnaire=url|version&authored=ge…", "QuestionnaireResponse",
            () => $"questionnaire={Uri.EscapeDataString($"{url}|{version}")}&authored=ge{midpoint}"),
        ("Observation?subject=…&code=…&_sort=-date&_count=1", "Observation",
            () => $"subject=Patient/{BenchData.PatientId(random.Next(patients))}&code={Uri.EscapeDataString($"{BenchData.CodeSystem}|{code}")}&_sort=-date&_count=1"),
    ];
}

static async Task TimeShapesAsync((string Name, string Type, Func<string> Query)[] shapes, int iterations, int warmup, Func<string, string, Task<int>> run)
{
    Console.WriteLine("| search | p50 ms | p95 ms | max ms | matches on page |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    foreach (var (name, type, query) in shapes)
    {
        var timings = new List<double>();
        var lastCount = 0;
        for (var i = 0; i < iterations + warmup; i++)
        {
            var text = query();
            var started = Stopwatch.GetTimestamp();
            lastCount = await run(type, text);
            if (i >= warmup)
            {
                timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        timings.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| `{name}` | {Percentile(timings, 0.50):F2} | {Percentile(timings, 0.95):F2} | {timings[^1]:F2} | {lastCount} |"));
    }
}

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "AllianceFhir.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run the benchmark from inside the repository.");
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
