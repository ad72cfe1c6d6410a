using System.Diagnostics;
using System.Globalization;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
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
/// The storage floor under the create and submit scenarios: what those requests store, already parsed, indexed and
/// serialized, committed straight into the store the API registers (the SQLite group committer) by concurrent
/// callers, with no HTTP and no FHIR work in the timed part. Creates run once with their search-index rows and once
/// with the version rows alone, which shows how much of a create's cost is the index maintenance itself; no tuning of
/// the HTTP or FHIR layers can go below these figures.
/// </summary>
internal static class StorageCommitBenchmark
{
    private const int WarmupCommits = 2000;
    private const int AuditBatch = 1000;

    /// <param name="submittedDatabase">
    /// The product's database after the submit scenario, or null: the submit floor recommits what one real submit
    /// stored (the response and its score Observations) rather than a hand-made imitation.
    /// </param>
    public static async Task<IReadOnlyList<CommitResult>> RunAsync(string workDirectory, int concurrency, int commits, string? submittedDatabase)
    {
        var indexer = new SearchIndexer(new SearchParameterRegistry(SupportedResourceTypes.All));
        var creates = Prepare(indexer, commits + WarmupCommits, n => [NewPatient(n)]);
        var results = new List<CommitResult>
        {
            await MeasureAsync("create, with its index rows", Path.Combine(workDirectory, "commit-create.db"), creates, concurrency),
            await MeasureAsync("create, version row only", Path.Combine(workDirectory, "commit-bare.db"), [.. creates.Select(request => request.Select(w => w with { Index = [] }).ToArray())], concurrency),
        };

        if (submittedDatabase is not null && await StoredSubmitAsync(submittedDatabase) is { } submit)
        {
            var submits = Prepare(indexer, commits + WarmupCommits, n => Renumber(submit, n));
            results.Add(await MeasureAsync("submit WAI-SR (response and Observations)", Path.Combine(workDirectory, "commit-submit.db"), submits, concurrency));
        }

        return results;
    }

    /// <summary>
    /// The index-row shapes of issue 11 as raw-SQL prototypes (<see cref="IndexShapeBenchmark"/>): the same creates (and
    /// submits, when the submit scenario ran) through each shape, one writer in groups of four requests (the group size
    /// measured under 8 clients).
    /// </summary>
    public static async Task<IReadOnlyList<CommitResult>> RunShapesAsync(string workDirectory, int commits, string? submittedDatabase, IReadOnlyList<string> only)
    {
        const int groupSize = 4;
        var indexer = new SearchIndexer(new SearchParameterRegistry(SupportedResourceTypes.All));
        var results = new List<CommitResult>();
        var creates = Prepare(indexer, commits + WarmupCommits, n => [NewPatient(n)]);
        results.AddRange(IndexShapeBenchmark.Run(workDirectory, "create", creates, WarmupCommits, groupSize, only));
        if (submittedDatabase is not null && await StoredSubmitAsync(submittedDatabase) is { } submit)
        {
            var submits = Prepare(indexer, commits + WarmupCommits, n => Renumber(submit, n));
            results.AddRange(IndexShapeBenchmark.Run(workDirectory, "submit", submits, WarmupCommits, groupSize, only));
        }

        return results;
    }

    /// <summary>
    /// Issue 11's deferred index merge as a floor prototype (<see cref="DeferredIndexBenchmark"/>): the same creates (and
    /// submits, when the submit scenario ran) against today's shape, one writer in groups of four requests.
    /// </summary>
    public static async Task RunDeferredAsync(string workDirectory, int commits, int seed, string? submittedDatabase, IReadOnlyList<string> variants)
    {
        const int groupSize = 4;
        var indexer = new SearchIndexer(new SearchParameterRegistry(SupportedResourceTypes.All));
        // DEFERRED_SCATTER=1: each Patient's name and identifiers from a scrambled number, so a batch's values scatter over
        // the index as real names and MRNs do (the sample's grow with n and land side by side at the end of their range).
        var scatter = Environment.GetEnvironmentVariable("DEFERRED_SCATTER") == "1";
        var creates = Prepare(indexer, seed + WarmupCommits + commits, n => [NewPatient(scatter ? (int)(unchecked((uint)n * 2654435761u) % 1_000_000_000) : n)]);
        DeferredIndexBenchmark.Run(workDirectory, scatter ? "create (scattered values)" : "create", creates, seed, WarmupCommits, groupSize, variants);
        creates.Clear();
        if (submittedDatabase is not null && await StoredSubmitAsync(submittedDatabase) is { } submit)
        {
            var submits = Prepare(indexer, seed + WarmupCommits + commits, n => Renumber(submit, n));
            DeferredIndexBenchmark.Run(workDirectory, "submit", submits, seed, WarmupCommits, groupSize, variants);
        }
    }

    /// <summary>The create scenario's Patient, as the API would have stored it under a new id.</summary>
    private static Patient NewPatient(int n)
    {
        var patient = FhirSerialization.JsonDeserializer.Deserialize<Patient>(SampleResources.Patient(n));
        patient.Id = Guid.NewGuid().ToString("D");
        return patient;
    }

    private static List<ResourceWrite[]> Prepare(SearchIndexer indexer, int count, Func<int, Resource[]> request)
    {
        var now = DateTimeOffset.UtcNow;
        return [.. Enumerable.Range(0, count).AsParallel().AsOrdered().Select(n => request(n).Select(resource =>
        {
            resource.Meta = new Meta { VersionId = "1", LastUpdated = now };
            var json = FhirSerialization.JsonSerializer.SerializeToString(resource);
            return new ResourceWrite(resource.TypeName, resource.Id!, 1, now, false, json, "POST", indexer.Extract(resource));
        }).ToArray())];
    }

    /// <summary>The newest stored QuestionnaireResponse and the Observations derived from it.</summary>
    private static async Task<Resource[]?> StoredSubmitAsync(string database)
    {
        await using var services = BenchStorage.Services(database);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var response = await db.Resources.Where(r => r.ResourceType == "QuestionnaireResponse" && !r.IsHistory)
            .OrderByDescending(r => r.Surrogate).FirstOrDefaultAsync();
        if (response?.Json is null)
        {
            return null;
        }

        var derived = await db.Resources
            .Where(r => !r.IsHistory && db.ReferenceIndex.Any(x => x.ResourceSurrogate == r.Surrogate && x.ParamName == "derived-from"
                && x.TargetType == "QuestionnaireResponse" && x.TargetId == response.ResourceId))
            .Select(r => r.Json!).ToListAsync();
        return [.. new[] { response.Json }.Concat(derived).Select(json => FhirSerialization.JsonDeserializer.Deserialize<Resource>(json))];
    }

    /// <summary>
    /// A copy of the stored submit as the submit scenario's request <paramref name="n"/> would have stored it: new ids,
    /// its own encounter and subject, and the Observations pointing at the new response.
    /// </summary>
    private static Resource[] Renumber(Resource[] submit, int n)
    {
        var copies = submit.Select(r => (Resource)r.DeepCopy()).ToArray();
        var responseId = Guid.NewGuid().ToString("D");
        var subject = new ResourceReference($"Patient/bench-{n % 1000}");
        var encounter = new ResourceReference($"Encounter/bench-{n}");
        foreach (var copy in copies)
        {
            switch (copy)
            {
                case QuestionnaireResponse response:
                    response.Id = responseId;
                    response.Subject = subject;
                    response.Encounter = encounter;
                    break;
                case Observation observation:
                    observation.Id = Guid.NewGuid().ToString("D");
                    observation.Subject = subject;
                    observation.Encounter = encounter;
                    observation.DerivedFrom = [new ResourceReference($"QuestionnaireResponse/{responseId}")];
                    break;
            }
        }

        return copies;
    }

    private static async Task<CommitResult> MeasureAsync(string name, string path, List<ResourceWrite[]> requests, int concurrency)
    {
        await using var services = BenchStorage.Services(path);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.MigrateAsync();
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant("default");

        await CommitAllAsync(store, requests[..WarmupCommits], concurrency);
        var writerBefore = WriterThreadStats.Read();
        var started = Stopwatch.GetTimestamp();
        var measured = requests[WarmupCommits..];
        await CommitAllAsync(store, measured, concurrency);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var writerAfter = WriterThreadStats.Read();
        return new CommitResult(
            name,
            measured.Count,
            measured[0].Length,
            measured[0].Sum(w => w.Index.Count),
            measured.Count / elapsed.TotalSeconds,
            (writerAfter?.Cpu - writerBefore?.Cpu)?.TotalMilliseconds / measured.Count,
            (writerAfter?.WrittenBytes - writerBefore?.WrittenBytes) / 1024.0 / measured.Count);
    }

    /// <summary>The background audit writer's floor (scenario <c>commit-audit</c>).</summary>
    public static async Task<IReadOnlyList<CommitResult>> RunAuditAsync(string workDirectory, int commits)
    {
        var indexer = new SearchIndexer(new SearchParameterRegistry(SupportedResourceTypes.All));
        return
        [
            await MeasureAuditAsync(Path.Combine(workDirectory, "commit-audit-1.db"), indexer, commits, AuditCommit.OneCommit),
            await MeasureAuditAsync(Path.Combine(workDirectory, "commit-audit-2.db"), indexer, commits, AuditCommit.CommitEach),
            await MeasureAuditAsync(Path.Combine(workDirectory, "commit-audit-3.db"), indexer, commits, AuditCommit.Append),
        ];
    }

    /// <summary>
    /// The AuditEvents of reads by id, committed as the background audit writer commits them: one caller, batches of
    /// <see cref="AuditBatch"/>. The events are built in the timed part too, as the writer builds them.
    /// </summary>
    private static async Task<CommitResult> MeasureAuditAsync(string path, SearchIndexer indexer, int commits, AuditCommit mode)
    {
        await using var services = BenchStorage.Services(path);
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.MigrateAsync();
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant("default");
        var caller = new AccessContext("bench-service", "bench-client", [], "default", null);
        ResourceWrite Event(int n)
        {
            var now = DateTimeOffset.UtcNow;
            var patient = $"Patient/{Guid.NewGuid():D}";
            return AuditEventFactory.ToWrite(new AuditRecord(FhirInteraction.Read, null, null, now, 200, caller, "127.0.0.1", [patient], null, [patient]), now);
        }

        async Task CommitAsync(int count)
        {
            for (var done = 0; done < count; done += AuditBatch)
            {
                var batch = Enumerable.Range(done, Math.Min(AuditBatch, count - done)).Select(Event).ToList();
                await (mode switch
                {
                    AuditCommit.OneCommit => store.CommitAsync(batch, CancellationToken.None),
                    AuditCommit.CommitEach => Task.WhenAll(batch.Select(e => store.CommitAsync([e], CancellationToken.None))),
                    _ => store.AppendAsync(batch, CancellationToken.None),
                });
            }
        }

        await CommitAsync(WarmupCommits);
        var writerBefore = WriterThreadStats.Read();
        var started = Stopwatch.GetTimestamp();
        await CommitAsync(commits);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var writerAfter = WriterThreadStats.Read();
        return new CommitResult(
            $"read AuditEvents, built and stored in batches of {AuditBatch}: " + mode switch
            {
                AuditCommit.OneCommit => "one commit (a savepoint around the batch)",
                AuditCommit.CommitEach => "a commit each (a savepoint each, grouped)",
                _ => "one append (no savepoint)",
            },
            commits,
            1,
            Event(0).Index.Count,
            commits / elapsed.TotalSeconds,
            (writerAfter?.Cpu - writerBefore?.Cpu)?.TotalMilliseconds / commits,
            (writerAfter?.WrittenBytes - writerBefore?.WrittenBytes) / 1024.0 / commits);
    }

    /// <summary>Concurrent callers each take the next request and commit it, as concurrent API requests do.</summary>
    private static async Task CommitAllAsync(IResourceStore store, List<ResourceWrite[]> requests, int concurrency)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < requests.Count; i = Interlocked.Increment(ref next))
            {
                await store.CommitAsync(requests[i], CancellationToken.None);
            }
        })));
    }
}

internal enum AuditCommit
{
    OneCommit,
    CommitEach,
    Append,
}

internal sealed record CommitResult(string Name, int Requests, int ResourcesPerRequest, int IndexRowsPerRequest, double Throughput, double? WriterCpuMsPerRequest, double? WalKbPerRequest = null);
