using System.Diagnostics;

namespace AllianceFhir.Benchmarks;

/// <summary>Closed-loop load: N workers each send the next request as soon as the previous one answered.</summary>
internal static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(
        string name,
        ServerProcess server,
        HttpClient client,
        Func<HttpClient, int, Task<HttpResponseMessage>> send,
        int concurrency,
        TimeSpan warmup,
        TimeSpan duration)
    {
        await RunPhaseAsync(client, send, concurrency, warmup, record: null);
        var latencies = new List<double>[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            latencies[i] = new List<double>(4096);
        }

        var cpuBefore = server.CpuTime;
        var failures = await RunPhaseAsync(client, send, concurrency, duration, latencies);
        var cpu = server.CpuTime - cpuBefore;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(name, all.Length, failures, duration.TotalSeconds, all, cpu.TotalMilliseconds / Math.Max(1, all.Length));
    }

    private static async Task<int> RunPhaseAsync(
        HttpClient client,
        Func<HttpClient, int, Task<HttpResponseMessage>> send,
        int concurrency,
        TimeSpan length,
        List<double>[]? record)
    {
        var failures = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var sequence = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await send(client, (worker * 1_000_000) + sequence++);
                await response.Content.CopyToAsync(Stream.Null);
                var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }

                record?[worker].Add(elapsedMs);
            }
        });
        await Task.WhenAll(workers);
        return failures;
    }
}

internal sealed record LoadResult(string Name, int Requests, int Failures, double Seconds, double[] SortedLatenciesMs, double ServerCpuMsPerRequest)
{
    public double Throughput => Requests / Seconds;

    public double Percentile(double p) =>
        SortedLatenciesMs.Length == 0 ? double.NaN : SortedLatenciesMs[Math.Min(SortedLatenciesMs.Length - 1, (int)Math.Ceiling(p * SortedLatenciesMs.Length) - 1)];
}
