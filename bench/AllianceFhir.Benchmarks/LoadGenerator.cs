using System.Diagnostics;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// Closed-loop load (N workers each send the next request as soon as the previous one answered) to find the
/// sustainable throughput, and open-loop load at a fixed arrival rate to measure latency at a given load.
/// </summary>
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

    /// <summary>
    /// Open loop: requests start on a fixed schedule whether or not earlier ones have answered, and each latency is
    /// counted from the request's scheduled start, so a server that falls behind shows it in the percentiles instead
    /// of silently slowing the load down (coordinated omission).
    /// </summary>
    public static async Task<LoadResult> RunAtRateAsync(
        string name,
        ServerProcess server,
        HttpClient client,
        Func<HttpClient, int, Task<HttpResponseMessage>> send,
        double requestsPerSecond,
        TimeSpan warmup,
        TimeSpan duration)
    {
        await RunScheduleAsync(client, send, requestsPerSecond, warmup, firstSequence: 50_000_000, record: null);
        var latencies = new List<double>(4096);
        var cpuBefore = server.CpuTime;
        var failures = await RunScheduleAsync(client, send, requestsPerSecond, duration, firstSequence: 60_000_000, latencies);
        var cpu = server.CpuTime - cpuBefore;
        var all = latencies.Order().ToArray();
        return new LoadResult(name, all.Length, failures, duration.TotalSeconds, all, cpu.TotalMilliseconds / Math.Max(1, all.Length));
    }

    private static async Task<int> RunScheduleAsync(
        HttpClient client,
        Func<HttpClient, int, Task<HttpResponseMessage>> send,
        double requestsPerSecond,
        TimeSpan length,
        int firstSequence,
        List<double>? record)
    {
        var failures = 0;
        var count = (int)(length.TotalSeconds * requestsPerSecond);
        var interval = Stopwatch.Frequency / requestsPerSecond;
        var origin = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var scheduled = origin + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            else
            {
                while (Stopwatch.GetTimestamp() < scheduled)
                {
                    Thread.SpinWait(50);
                }
            }

            var sequence = firstSequence + i;
            inFlight.Add(Task.Run(async () =>
            {
                using var response = await send(client, sequence);
                await response.Content.CopyToAsync(Stream.Null);
                var elapsedMs = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }

                if (record is not null)
                {
                    lock (record)
                    {
                        record.Add(elapsedMs);
                    }
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return failures;
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
