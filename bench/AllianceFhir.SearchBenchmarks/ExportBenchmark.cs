using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace AllianceFhir.SearchBenchmarks;

/// <summary>
/// The export scenario of issue 13: the API in its own process over a seeded database runs a system-level
/// <c>$export</c> as a Bulk Data client drives it (kick-off, polling, manifest); the figures are resources written per
/// second from kick-off to manifest, and the server's resident memory sampled while it runs (its peak from
/// <c>/proc/[pid]/status</c> VmHWM, and at each quarter of the export) to show whether memory grows with the export.
/// </summary>
internal static class ExportBenchmark
{
    /// <param name="pageSize">The server's <c>Export:PageSize</c>; null keeps the server's default.</param>
    public static async Task RunAsync(string path, int? pageSize, string api)
    {
        api = Path.GetFullPath(api);
        Console.WriteLine($"{api} over {Path.GetFullPath(path)}; load average {LoadAverage()}");
        string[] settings = pageSize is { } size ? [$"--Export:PageSize={size.ToString(CultureInfo.InvariantCulture)}"] : [];
        var folder = Path.Combine(Path.GetTempPath(), "alliancefhir-export-bench", Guid.NewGuid().ToString("N"));
        await using var server = await AllianceFhir.Benchmarks.ServerProcess.StartAsync(
            api,
            Path.GetDirectoryName(api)!,
            "/healthz",
            [$"--ConnectionStrings:Fhir=Data Source={Path.GetFullPath(path)}", $"--Export:Folder={folder}", "--Export:PollMilliseconds=100", .. settings]);
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var rssBefore = Rss(server.ProcessId);
        var cpuBefore = CpuSeconds(server.ProcessId);
        try
        {
            var clock = Stopwatch.StartNew();
            using var kickOff = new HttpRequestMessage(HttpMethod.Get, "/fhir/$export?_type=Patient,QuestionnaireResponse,Observation");
            kickOff.Headers.Add("Prefer", "respond-async");
            using var accepted = await client.SendAsync(kickOff);
            if ((int)accepted.StatusCode != 202)
            {
                throw new InvalidOperationException($"kick-off answered {(int)accepted.StatusCode}");
            }

            var status = accepted.Content.Headers.ContentLocation!.PathAndQuery;
            var samples = new List<(double Seconds, long Written, long Rss)>();
            JsonDocument manifest;
            while (true)
            {
                using var poll = await client.GetAsync(status);
                if ((int)poll.StatusCode == 200)
                {
                    manifest = JsonDocument.Parse(await poll.Content.ReadAsStringAsync());
                    break;
                }

                var progress = poll.Headers.GetValues("X-Progress").Single();
                var written = long.Parse(progress.Split("; ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
                samples.Add((clock.Elapsed.TotalSeconds, written, Rss(server.ProcessId)));
                await Task.Delay(250);
            }

            clock.Stop();
            var cpu = CpuSeconds(server.ProcessId) - cpuBefore;
            var total = manifest.RootElement.GetProperty("output").EnumerateArray().Sum(o => o.GetProperty("count").GetInt64());
            var bytes = Directory.EnumerateFiles(folder, "*.ndjson", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"exported {total:N0} resources ({bytes / 1048576.0:F0} MiB of NDJSON) in {clock.Elapsed.TotalSeconds:F1} s: {total / clock.Elapsed.TotalSeconds:N0} resources/s (page size {(pageSize?.ToString(CultureInfo.InvariantCulture) ?? "server default")}); load average {LoadAverage()}"));
            // On a shared machine the wall clock measures the neighbours too; the server's own CPU per resource does not.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"server CPU: {cpu:F1} s, {cpu * 1e6 / total:F1} µs per resource ({total / cpu:N0} resources per CPU second)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"server RSS: {rssBefore / 1048576.0:F0} MiB before, peak {Peak(server.ProcessId) / 1048576.0:F0} MiB (VmHWM)"));
            foreach (var quarter in new[] { 0.25, 0.5, 0.75 })
            {
                var at = samples.FirstOrDefault(s => s.Written >= total * quarter);
                if (at != default)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  at {quarter:P0} ({at.Written:N0} written, {at.Seconds:F1} s): RSS {at.Rss / 1048576.0:F0} MiB"));
                }
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), so a figure taken on a busy machine says so.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>User plus system CPU of a process (Linux <c>/proc/[pid]/stat</c>, fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return 0;
        }

        // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
        var text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static long Rss(int pid) => StatusField(pid, "VmRSS:");

    private static long Peak(int pid) => StatusField(pid, "VmHWM:");

    /// <summary>A kB field of /proc/[pid]/status, in bytes (Linux; 0 elsewhere).</summary>
    private static long StatusField(int pid, string field)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
