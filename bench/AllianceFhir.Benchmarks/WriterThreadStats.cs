using System.Globalization;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// CPU time and bytes written by the SQLite writer thread, from /proc (Linux only; null elsewhere). Checkpoints run on
/// a thread of their own, so the writer thread's written bytes are the WAL frames its commits appended.
/// </summary>
internal static class WriterThreadStats
{
    /// <summary>The kernel keeps the first 15 characters of a thread's name.</summary>
    private const string ThreadName = "SQLite group co";

    public static (TimeSpan Cpu, long WrittenBytes)? Read()
    {
        var tasks = $"/proc/{Environment.ProcessId}/task";
        if (!Directory.Exists(tasks))
        {
            return null;
        }

        foreach (var thread in Directory.EnumerateDirectories(tasks))
        {
            if (File.ReadAllText(Path.Combine(thread, "comm")).StartsWith(ThreadName, StringComparison.Ordinal))
            {
                var nanoseconds = long.Parse(File.ReadAllText(Path.Combine(thread, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
                var written = File.ReadLines(Path.Combine(thread, "io"))
                    .Where(l => l.StartsWith("wchar:", StringComparison.Ordinal))
                    .Select(l => long.Parse(l["wchar:".Length..].Trim(), CultureInfo.InvariantCulture))
                    .First();
                return (TimeSpan.FromTicks(nanoseconds / 100), written);
            }
        }

        return null;
    }
}
