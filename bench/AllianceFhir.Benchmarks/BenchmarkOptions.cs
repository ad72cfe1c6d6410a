using System.Globalization;

namespace AllianceFhir.Benchmarks;

internal sealed record BenchmarkOptions(int Seconds, int WarmupSeconds, int Concurrency, string Configuration, IReadOnlySet<string> Scenarios)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var seconds = 10;
        // Tiered JIT keeps recompiling hot Firely and EF code for 10–20 s after start; shorter warm-ups measured the JIT.
        var warmup = 20;
        var concurrency = 8;
        var configuration = "Release";
        var scenarios = new HashSet<string>(["create", "read", "submit", "baseline"], StringComparer.Ordinal);
        for (var i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--configuration": configuration = args[++i]; break;
                case "--scenarios": scenarios = [.. args[++i].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]; break;
            }
        }

        return new BenchmarkOptions(seconds, warmup, concurrency, configuration, scenarios);
    }
}
