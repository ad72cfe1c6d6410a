using System.Diagnostics;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// The storage floor under the create scenario: the same Patients, already parsed, indexed and serialized, committed
/// straight into the store the API registers (the SQLite group committer) by concurrent callers, with no HTTP and no
/// FHIR work in the timed part. Run once with the search-index rows and once with the version rows alone, it shows
/// how much of a create's cost is the index maintenance itself, which no tuning of the HTTP or FHIR layers can remove.
/// </summary>
internal static class StorageCommitBenchmark
{
    private const int WarmupCommits = 2000;

    public static async Task<IReadOnlyList<CommitResult>> RunAsync(string workDirectory, int concurrency, int creates)
    {
        var prepared = Prepare(creates + WarmupCommits);
        return
        [
            await MeasureAsync("commit with index rows", Path.Combine(workDirectory, "commit-indexed.db"), prepared, concurrency),
            await MeasureAsync("commit, version rows only", Path.Combine(workDirectory, "commit-bare.db"), [.. prepared.Select(w => w with { Index = [] })], concurrency),
        ];
    }

    private static List<ResourceWrite> Prepare(int count)
    {
        var indexer = new SearchIndexer(new SearchParameterRegistry(SupportedResourceTypes.All));
        var now = DateTimeOffset.UtcNow;
        return [.. Enumerable.Range(0, count).AsParallel().AsOrdered().Select(n =>
        {
            var patient = FhirSerialization.JsonDeserializer.Deserialize<Patient>(SampleResources.Patient(n));
            patient.Id = Guid.NewGuid().ToString("D");
            patient.Meta = new Meta { VersionId = "1", LastUpdated = now };
            var json = FhirSerialization.JsonSerializer.SerializeToString(patient);
            return new ResourceWrite("Patient", patient.Id, 1, now, false, json, "POST", indexer.Extract(patient));
        })];
    }

    private static async Task<CommitResult> MeasureAsync(string name, string path, List<ResourceWrite> writes, int concurrency)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SearchParameterRegistry(SupportedResourceTypes.All));
        services.Configure<StorageOptions>(o => o.ConnectionString = $"Data Source={path}");
        services.AddFhirStorage();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.MigrateAsync();
        var store = scope.ServiceProvider.GetRequiredService<IResourceStore>();

        // Each caller commits its own share one create at a time, as concurrent API requests do.
        async Task CommitRangeAsync(int from, int to)
        {
            var next = from;
            async Task CallerAsync()
            {
                for (var i = Interlocked.Increment(ref next) - 1; i < to; i = Interlocked.Increment(ref next) - 1)
                {
                    await store.CommitAsync([writes[i]], CancellationToken.None);
                }
            }

            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(CallerAsync)));
        }

        await CommitRangeAsync(0, WarmupCommits);
        var writerBefore = WriterThreadCpu();
        var started = Stopwatch.GetTimestamp();
        await CommitRangeAsync(WarmupCommits, writes.Count);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var writerCpu = WriterThreadCpu() - writerBefore;
        var measured = writes.Count - WarmupCommits;
        return new CommitResult(name, measured, writes[0].Index.Count, measured / elapsed.TotalSeconds, writerCpu?.TotalMilliseconds / measured);
    }

    /// <summary>CPU time of the group committer's writer thread, from /proc (Linux only; null elsewhere).</summary>
    private static TimeSpan? WriterThreadCpu()
    {
        var tasks = $"/proc/{Environment.ProcessId}/task";
        if (!Directory.Exists(tasks))
        {
            return null;
        }

        foreach (var thread in Directory.EnumerateDirectories(tasks))
        {
            // The kernel keeps the first 15 characters of a thread's name.
            if (File.ReadAllText(Path.Combine(thread, "comm")).StartsWith("SQLite group co", StringComparison.Ordinal))
            {
                var nanoseconds = long.Parse(File.ReadAllText(Path.Combine(thread, "schedstat")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return TimeSpan.FromTicks(nanoseconds / 100);
            }
        }

        return null;
    }
}

internal sealed record CommitResult(string Name, int Creates, int IndexRowsPerCreate, double Throughput, double? WriterCpuMsPerCreate);
