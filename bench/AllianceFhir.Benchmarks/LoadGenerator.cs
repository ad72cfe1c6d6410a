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
        return await MeasureAsync(name, server, duration, async () =>
        {
            // One list per worker, so recording a latency takes no lock.
            var latencies = Enumerable.Range(0, concurrency).Select(_ => new List<double>(4096)).ToArray();
            var failures = await RunPhaseAsync(client, send, concurrency, duration, latencies);
            return (failures, latencies.SelectMany(l => l));
        });
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
        return await MeasureAsync(name, server, duration, async () =>
        {
            var latencies = new List<double>(4096);
            var failures = await RunScheduleAsync(client, send, requestsPerSecond, duration, firstSequence: 60_000_000, latencies);
            return (failures, latencies);
        });
    }

    /// <summary>Runs a measured phase and reports its latencies with the server CPU it cost.</summary>
    private static async Task<LoadResult> MeasureAsync(
        string name,
        ServerProcess server,
        TimeSpan duration,
        Func<Task<(int Failures, IEnumerable<double> LatenciesMs)>> phase)
    {
        var cpuBefore = server.CpuTime;
        var (failures, latencies) = await phase();
        var cpu = server.CpuTime - cpuBefore;
        var sorted = latencies.Order().ToArray();
        return new LoadResult(name, sorted.Length, failures, duration.TotalSeconds, sorted, cpu.TotalMilliseconds / Math.Max(1, sorted.Length));
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
