using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// Issue 13: what active Subscriptions cost the write path, and how quickly a notification reaches the EHR. Two servers
/// on fresh databases, one without subscriptions and one with ten active ones, take the WAI-SR submit load in turns
/// (A, B, A, B …); then the one with subscriptions takes submits at a steady low rate while a local Kestrel receiver
/// times each notification from the response's commit stamp (<c>meta.lastUpdated</c>) to its arrival.
/// </summary>
/// <remarks>
/// Of the ten subscriptions, two match every submit (the response itself, and its WAI-SR total), so each submit causes
/// two notifications; the other eight watch one patient each, so every commit is matched against all ten.
/// </remarks>
internal static class SubscriptionBenchmark
{
    private const string FhirJson = "application/fhir+json";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 10);
        var concurrency = Option(args, "--concurrency", 8);
        var rounds = Option(args, "--rounds", 2);
        var latencySubmits = Option(args, "--latency-submits", 300);
        var rate = Option(args, "--latency-rate", 20);
        var root = BenchmarkRunner.RepositoryRoot();
        var apiDirectory = Path.Combine(root, "src", "AllianceFhir.Api", "bin", "Release", "net10.0");
        var apiDll = Path.Combine(apiDirectory, "AllianceFhir.Api.dll");
        if (!File.Exists(apiDll))
        {
            Console.Error.WriteLine($"{apiDll} not found: build the API in Release first (dotnet build -c Release).");
            return 2;
        }

        var work = Directory.CreateTempSubdirectory("alliancefhir-subs-bench-").FullName;
        var arrivals = new ConcurrentDictionary<string, DateTime>(StringComparer.Ordinal);
        await using var receiver = await StartReceiverAsync(arrivals);
        var endpoint = receiver.Urls.First() + "/hook";
        try
        {
            await using var plain = await StartApiAsync(apiDll, apiDirectory, Path.Combine(work, "plain.db"));
            await using var subscribed = await StartApiAsync(apiDll, apiDirectory, Path.Combine(work, "subscribed.db"));
            using var plainClient = await SeededClientAsync(plain);
            using var subscribedClient = await SeededClientAsync(subscribed);
            await SubscribeAsync(subscribedClient, endpoint);

            var warmup = TimeSpan.FromSeconds(3);
            var duration = TimeSpan.FromSeconds(seconds);
            var results = new List<(string Variant, LoadResult Result)>();
            static Task<HttpResponseMessage> Submit(HttpClient c, int n) =>
                c.PostAsync("/fhir/QuestionnaireResponse", new StringContent(SampleResources.WaiSrResponse(n), Encoding.UTF8, FhirJson));
            for (var round = 0; round < rounds; round++)
            {
                results.Add(("none", await LoadGenerator.RunAsync("submit WAI-SR, no subscriptions", plain, plainClient, Submit, concurrency, warmup, duration)));
                results.Add(("ten", await LoadGenerator.RunAsync("submit WAI-SR, 10 active subscriptions", subscribed, subscribedClient, Submit, concurrency, warmup, duration)));
            }

            // Let the dispatcher drain what the load left behind, so the latency phase measures delivery, not backlog.
            await DrainAsync(subscribedClient, arrivals);
            var latencies = await MeasureLatencyAsync(subscribedClient, arrivals, latencySubmits, rate);

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine();
            Console.WriteLine(string.Create(inv, $"Machine: {Environment.ProcessorCount} cores; {concurrency} concurrent clients, {seconds} s per run after 3 s warm-up, variants in turns."));
            Console.WriteLine();
            Console.WriteLine("| run | requests | failures | req/s | p50 ms | p99 ms | server CPU ms/request |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (_, r) in results)
            {
                Console.WriteLine(string.Create(inv, $"| {r.Name} | {r.Requests} | {r.Failures} | {r.Throughput:F0} | {r.Percentile(0.50):F2} | {r.Percentile(0.99):F2} | {r.ServerCpuMsPerRequest:F2} |"));
            }

            var none = results.Where(r => r.Variant == "none").Average(r => r.Result.Throughput);
            var ten = results.Where(r => r.Variant == "ten").Average(r => r.Result.Throughput);
            Console.WriteLine();
            Console.WriteLine(string.Create(inv, $"submit with 10 active subscriptions: {ten / none:F2}x without (target >= 0.9x)"));
            Console.WriteLine(string.Create(inv, $"notification latency, commit -> receiver, {latencies.Length} notifications at {rate}/s: p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms"));
            return results.Any(r => r.Result.Failures > 0) ? 1 : 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Task<ServerProcess> StartApiAsync(string apiDll, string apiDirectory, string database) =>
        ServerProcess.StartAsync(apiDll, apiDirectory, "/healthz", [$"--ConnectionStrings:Fhir=Data Source={database}"]);

    private static async Task<HttpClient> SeededClientAsync(ServerProcess api)
    {
        var client = new HttpClient { BaseAddress = api.BaseAddress };
        await SampleResources.StoreReferencedAsync(client);

        return client;
    }

    private static async Task SubscribeAsync(HttpClient client, string endpoint)
    {
        List<string> criteria =
        [
            "QuestionnaireResponse?questionnaire=http://alliancefhir.org/fhir/Questionnaire/wai-sr",
            "Observation?code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|wai-sr-total",
            .. Enumerable.Range(0, 8).Select(i => $"Observation?code=http://alliancefhir.org/fhir/CodeSystem/alliance-score|wai-sr-bond&subject=Patient/bench-{i}"),
        ];
        var ids = new List<string>();
        foreach (var (c, i) in criteria.Select((c, i) => (c, i)))
        {
            var body = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["resourceType"] = "Subscription",
                ["status"] = "requested",
                ["reason"] = "benchmark",
                ["criteria"] = c,
                ["channel"] = new Dictionary<string, object> { ["type"] = "rest-hook", ["endpoint"] = $"{endpoint}/{i}", ["payload"] = FhirJson },
            });
            using var created = await client.PostAsync("/fhir/Subscription", new StringContent(body, Encoding.UTF8, FhirJson));
            created.EnsureSuccessStatusCode();
            using var document = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            ids.Add(document.RootElement.GetProperty("id").GetString()!);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var id in ids)
        {
            while (true)
            {
                using var document = JsonDocument.Parse(await client.GetStringAsync($"/fhir/Subscription/{id}"));
                if (document.RootElement.GetProperty("status").GetString() == "active")
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Subscription/{id} did not become active");
                }

                await Task.Delay(100);
            }
        }
    }

    private static async Task DrainAsync(HttpClient client, ConcurrentDictionary<string, DateTime> arrivals)
    {
        var quiet = 0;
        var last = arrivals.Count;
        for (var i = 0; i < 600 && quiet < 10; i++)
        {
            await Task.Delay(500);
            quiet = arrivals.Count == last ? quiet + 1 : 0;
            last = arrivals.Count;
        }

        _ = client;
    }

    /// <summary>Steady submits; each response's notification (subscription 0 PUTs the response) is timed from its lastUpdated.</summary>
    private static async Task<double[]> MeasureLatencyAsync(HttpClient client, ConcurrentDictionary<string, DateTime> arrivals, int submits, int rate)
    {
        var stamps = new List<(string Id, DateTime Committed)>();
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        for (var n = 0; n < submits; n++)
        {
            var next = Task.Delay(interval);
            using var response = await client.PostAsync("/fhir/QuestionnaireResponse", new StringContent(SampleResources.WaiSrResponse(90_000_000 + n), Encoding.UTF8, FhirJson));
            response.EnsureSuccessStatusCode();
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var meta = document.RootElement.GetProperty("meta");
            stamps.Add((document.RootElement.GetProperty("id").GetString()!, meta.GetProperty("lastUpdated").GetDateTime().ToUniversalTime()));
            await next;
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (stamps.Any(s => !arrivals.ContainsKey(s.Id)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return [.. stamps.Where(s => arrivals.ContainsKey(s.Id)).Select(s => (arrivals[s.Id] - s.Committed).TotalMilliseconds).Order()];
    }

    private static async Task<WebApplication> StartReceiverAsync(ConcurrentDictionary<string, DateTime> arrivals)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort()}");
        var app = builder.Build();

        // Subscription 0 PUTs each response to /hook/0/QuestionnaireResponse/{id}: its arrival is the one timed.
        app.MapMethods("/hook/{subscription}/{type}/{id}", ["PUT"], (string subscription, string type, string id) =>
        {
            if (subscription == "0")
            {
                arrivals.TryAdd(id, DateTime.UtcNow);
            }

            return Results.Ok();
        });
        app.MapPost("/hook/{subscription}", () => Results.Ok());
        await app.StartAsync();
        return app;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
