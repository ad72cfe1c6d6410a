using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// The $import benchmark (issue 12): NDJSON files of completed WAI-SR responses (validated, scored, Observations
/// extracted) and of plain ~2 KB Patients, each uploaded to a fresh server process and imported to the end. Reports
/// resources/s from the upload to the finished job, and the server's peak resident set (VmHWM).
/// </summary>
internal static class ImportBenchmark
{
    /// <summary>Usage: <c>import [--responses N] [--plain N] [--batch N] [--configuration Release]</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var responses = Option(args, "--responses", 100_000);
        var plain = Option(args, "--plain", 100_000);
        var batch = Option(args, "--batch", 500);
        var configuration = args.SkipWhile(a => a != "--configuration").Skip(1).FirstOrDefault() ?? "Release";
        var root = BenchmarkRunner.RepositoryRoot();
        var apiDirectory = Path.Combine(root, "src", "AllianceFhir.Api", "bin", configuration, "net10.0");
        var apiDll = Path.Combine(apiDirectory, "AllianceFhir.Api.dll");
        if (!File.Exists(apiDll))
        {
            Console.Error.WriteLine($"{apiDll} not found: build the API in {configuration} first (dotnet build -c {configuration}).");
            return 2;
        }

        var work = Directory.CreateTempSubdirectory("alliancefhir-import-bench-").FullName;
        var rows = new List<string>();
        try
        {
            if (responses > 0)
            {
                var file = Write(Path.Combine(work, "responses.ndjson"), responses, SampleResources.WaiSrResponse);
                rows.Add(await MeasureAsync($"{responses:N0} WAI-SR responses (scored, 4 Observations each)", file, responses, apiDll, apiDirectory, work, batch));
            }

            if (plain > 0)
            {
                var file = Write(Path.Combine(work, "patients.ndjson"), plain, SampleResources.Patient);
                rows.Add(await MeasureAsync($"{plain:N0} plain Patients (~2 KB)", file, plain, apiDll, apiDirectory, work, batch));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        Console.WriteLine($"Import benchmark, batch {batch}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine();
        // On a shared machine wall-clock rates follow the other load; resources per CPU-second of the server are steadier.
        Console.WriteLine("| input | imported | seconds | resources/s | server CPU s | resources per CPU-second | second half: resources/s | second half: per CPU-second | peak RSS of the server |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static async Task<string> MeasureAsync(string name, string file, int lines, string apiDll, string apiDirectory, string work, int batch)
    {
        var run = Path.Combine(work, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(run);
        await using var api = await ServerProcess.StartAsync(apiDll, apiDirectory, "/healthz",
        [
            $"--ConnectionStrings:Fhir=Data Source={Path.Combine(run, "fhir.db")}",
            $"--Import:Folder={Path.Combine(run, "imports")}",
            $"--Import:BatchSize={batch}",
            "--Import:PollMilliseconds=100",
        ]);
        using var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
        await SampleResources.StoreReferencedAsync(client);

        var cpuBefore = api.CpuTime;
        var clock = Stopwatch.StartNew();
        await using var upload = File.OpenRead(file);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/$import") { Content = new StreamContent(upload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+ndjson");
        request.Headers.Add("Prefer", "respond-async");
        using var start = await client.SendAsync(request);
        if (start.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"$import answered {(int)start.StatusCode}: {await start.Content.ReadAsStringAsync()}");
        }

        var status = start.Content.Headers.ContentLocation!;
        JsonNode manifest;

        // The second half of the job, once the JIT has settled and the upload is on disk: what a long import runs at.
        (double Seconds, double Cpu, long Lines)? half = null;
        while (true)
        {
            using var poll = await client.GetAsync(status);
            if (poll.StatusCode == HttpStatusCode.OK)
            {
                manifest = JsonNode.Parse(await poll.Content.ReadAsStringAsync())!;
                break;
            }

            if (poll.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"status answered {(int)poll.StatusCode}: {await poll.Content.ReadAsStringAsync()}");
            }

            if (half is null && Processed(poll) is { } processed && processed >= lines / 2)
            {
                half = (clock.Elapsed.TotalSeconds, api.CpuTime.TotalSeconds, processed);
            }

            await Task.Delay(200);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (api.CpuTime - cpuBefore).TotalSeconds;
        var warm = half is { } h
            ? string.Create(CultureInfo.InvariantCulture, $"{(lines - h.Lines) / (seconds - h.Seconds):N0} | {(lines - h.Lines) / (api.CpuTime.TotalSeconds - h.Cpu):N0}")
            : "- | -";
        var imported = manifest["output"]![0]!["count"]!.GetValue<long>();
        if (imported != lines)
        {
            throw new InvalidOperationException($"imported {imported} of {lines}: {manifest.ToJsonString()}");
        }

        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {imported:N0} | {seconds:F1} | {imported / seconds:N0} | {cpu:F1} | {imported / cpu:N0} | {warm} | {PeakRssMiB(api.ProcessId)} MiB |");

        // Printed at once too, so a long run that fails later still leaves what it measured.
        Console.WriteLine(row);
        return row;
    }

    /// <summary>The lines processed so far, from the status's <c>X-Progress</c> ("…; N lines processed, …").</summary>
    private static long? Processed(HttpResponseMessage poll)
    {
        if (!poll.Headers.TryGetValues("X-Progress", out var values))
        {
            return null;
        }

        var text = values.First();
        var end = text.IndexOf(" lines processed", StringComparison.Ordinal);
        var begin = end < 0 ? -1 : text.LastIndexOf(' ', end - 1);
        return begin >= 0 && long.TryParse(text.AsSpan(begin + 1, end - begin - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>One resource per line: the samples are pretty-printed, NDJSON wants each on one line.</summary>
    private static string Write(string path, int count, Func<int, string> resource)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        for (var i = 0; i < count; i++)
        {
            writer.Write(JsonNode.Parse(resource(i))!.ToJsonString());
            writer.Write('\n');
        }

        return path;
    }

    /// <summary>VmHWM of /proc/[pid]/status: the highest resident set the process reached (Linux).</summary>
    private static string PeakRssMiB(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kib = line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (kib / 1024).ToString(CultureInfo.InvariantCulture);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
