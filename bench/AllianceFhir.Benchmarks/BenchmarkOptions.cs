using System.Globalization;

namespace AllianceFhir.Benchmarks;

/// <param name="SubmitRate">Arrivals per second for the fixed-rate submit phase; null means half the closed-loop submit throughput.</param>
/// <param name="Commits">Creates committed in each run of the storage-floor scenario.</param>
/// <param name="Seed">Requests stored before the deferred-merge prototype's warm-up (scenario <c>deferred</c>), for a larger index.</param>
/// <param name="ApiDirectory">A build of the API to measure instead of this checkout's (a copy of an earlier build, to compare two builds back to back).</param>
internal sealed record BenchmarkOptions(int Seconds, int WarmupSeconds, int Concurrency, string Configuration, IReadOnlySet<string> Scenarios, double? SubmitRate, int Commits, IReadOnlyList<string> Shapes, string? ApiDirectory = null, int Seed = 0)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var seconds = 10;
        // Tiered JIT keeps recompiling hot Firely and EF code for 10–20 s after start; shorter warm-ups measured the JIT.
        var warmup = 20;
        var concurrency = 8;
        var configuration = "Release";
        double? submitRate = null;
        var commits = 20_000;
        var shapes = new List<string>();
        string? apiDirectory = null;
        var seed = 0;
        var scenarios = new HashSet<string>(["create", "read", "create-token", "read-token", "submit", "submit-rate", "baseline", "commit"], StringComparer.Ordinal);
        for (var i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--configuration": configuration = args[++i]; break;
                case "--submit-rate": submitRate = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shapes": shapes = [.. args[++i].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]; break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--commits": commits = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--api-dir": apiDirectory = Path.GetFullPath(args[++i]); break;
                case "--scenarios": scenarios = [.. args[++i].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]; break;
            }
        }

        return new BenchmarkOptions(seconds, warmup, concurrency, configuration, scenarios, submitRate, commits, shapes, apiDirectory, seed);
    }
}
