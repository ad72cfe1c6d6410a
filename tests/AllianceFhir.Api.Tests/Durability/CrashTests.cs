using System.Diagnostics;
using System.Globalization;
using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Xunit.Abstractions;

namespace AllianceFhir.Api.Tests.Durability;

/// <summary>
/// The API, in a process of its own, is killed with SIGKILL at a random moment while writers keep it busy, then started
/// again on the same SQLite file: every write it acknowledged must read back, and no transaction may be half there.
/// Three kills by default; CRASH_ITERATIONS=50 (and CRASH_SEED to replay a run) for a soak, see docs/reliability.md.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("alliancefhir-crash-").FullName;

    [Fact]
    public async Task Acknowledged_writes_survive_a_sigkill_and_transactions_are_all_or_nothing()
    {
        var iterations = EnvironmentInt("CRASH_ITERATIONS") ?? 3;
        var seed = EnvironmentInt("CRASH_SEED") ?? Random.Shared.Next();
        var random = new Random(seed);
        output.WriteLine($"CRASH_ITERATIONS={iterations} CRASH_SEED={seed}");
        var database = Path.Combine(_directory, "fhir.db");
        var clock = Stopwatch.StartNew();

        var api = await ApiProcess.StartAsync(database, _directory, ReadyWithin);
        try
        {
            using var client = ClientOf(api);
            var workload = new CrashWorkload(
                await InstrumentResponses.FetchAsync(client, "wai-sr"),
                await InstrumentResponses.FetchAsync(client, "srs"));

            var checkedBefore = new Checked(0, 0, 0, 0);
            for (var iteration = 1; iteration <= iterations; iteration++)
            {
                // Writers hammer the server; the kill lands somewhere in the middle of their requests.
                using var stop = new CancellationTokenSource();
                using var writerClient = ClientOf(api);
                var ackedBefore = workload.Acked.Count;
                var writers = workload.RunAsync(writerClient, stop.Token);
                // The random delay counts from the iteration's first acknowledged write, not from the start: on a busy
                // machine the restarted server can take seconds to answer its first request, and a kill before that
                // proves nothing (a full suite at load 35 killed three times before any response was acknowledged).
                await WaitForFirstAcknowledgementAsync(workload, ackedBefore, writers);
                if (iteration == iterations)
                {
                    await WaitUntilEveryKindWasAcknowledgedAsync(workload, writers);
                }

                var killAfter = TimeSpan.FromMilliseconds(random.Next(200, 2000));
                await Task.Delay(killAfter);
                await api.KillAsync();
                await stop.CancelAsync();
                await writers;
                await api.DisposeAsync();
                Assert.True(workload.Refusals.IsEmpty, $"the server refused valid writes before the kill:{Environment.NewLine}{string.Join(Environment.NewLine, workload.Refusals.Take(5))}");

                var restart = Stopwatch.StartNew();
                api = await ApiProcess.StartAsync(database, _directory, ReadyWithin);
                var restarted = restart.Elapsed;
                using var reader = ClientOf(api);
                await AssertDurableAsync(reader, workload, api, checkedBefore, random);
                checkedBefore = new Checked(workload.Acked.Count, workload.AckedTransactions.Count, workload.Transactions.Count, workload.ResponseSubjects.Count);
                output.WriteLine($"kill {iteration} after {killAfter.TotalMilliseconds:F0} ms: {workload.Acked.Count + workload.AckedTransactions.Count} acknowledged versions, " +
                    $"{workload.Transactions.Count} transactions sent, all consistent (restart {restarted.TotalSeconds:F1} s, checks {(restart.Elapsed - restarted).TotalSeconds:F1} s, " +
                    $"total {clock.Elapsed.TotalSeconds:F1} s)");
            }

            // A run in which no kind of write was ever acknowledged would prove nothing about it.
            Assert.Contains(workload.Acked, a => a.ResourceType == "QuestionnaireResponse");
            Assert.Contains(workload.Acked, a => a.Version > 1);
            Assert.NotEmpty(workload.AckedTransactions);
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    private static async Task WaitForFirstAcknowledgementAsync(CrashWorkload workload, int ackedBefore, Task writers)
    {
        var waited = Stopwatch.StartNew();
        while (workload.Acked.Count == ackedBefore && !writers.IsCompleted)
        {
            Assert.True(waited.Elapsed < ReadyWithin, $"no write was acknowledged within {ReadyWithin.TotalSeconds:F0} s of the writers starting");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Before the last kill, every kind of write has been acknowledged at least once, so the run proves something about
    /// each; the kill still lands a random delay after that. With three short random delays on a busy machine no
    /// QuestionnaireResponse (the slowest write) was ever acknowledged, and the run failed for want of one.
    /// </summary>
    private static async Task WaitUntilEveryKindWasAcknowledgedAsync(CrashWorkload workload, Task writers)
    {
        var waited = Stopwatch.StartNew();
        while (!(workload.Acked.Any(a => a.ResourceType == "QuestionnaireResponse") && workload.Acked.Any(a => a.Version > 1) && !workload.AckedTransactions.IsEmpty)
            && !writers.IsCompleted)
        {
            Assert.True(waited.Elapsed < ReadyWithin, $"not every kind of write was acknowledged within {ReadyWithin.TotalSeconds:F0} s");
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>How much of each ledger earlier kills have checked.</summary>
    private sealed record Checked(int Versions, int TransactionVersions, int Transactions, int Subjects);

    /// <summary>
    /// What was acknowledged or sent since the last kill, all of it, and of what earlier kills already checked a sample
    /// (everything in the suite's three kills; in a long soak re-checking everything would grow with the square of the kills).
    /// </summary>
    private static List<T> NewAndSampled<T>(IEnumerable<T> ledger, int checkedBefore, int sample, Random random)
    {
        var all = ledger.ToList();
        return [.. all.Take(checkedBefore).OrderBy(_ => random.Next()).Take(sample), .. all.Skip(checkedBefore)];
    }

    private static async Task AssertDurableAsync(HttpClient client, CrashWorkload workload, ApiProcess api, Checked checkedBefore, Random random)
    {
        // The restarted server answers normally: capabilities, and a new write that reads back.
        using (var metadata = await client.GetAsync(new Uri("/fhir/metadata", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        }

        using (var created = await client.PostAsync("/fhir/Patient", FhirHttp.JsonBody(new Patient { Identifier = [CrashWorkload.MarkerOf("after-restart")] })))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"a create after the restart answered {(int)created.StatusCode}:{Environment.NewLine}{api.RecentOutput}");
        }

        using var gate = new SemaphoreSlim(4);
        async Task Bounded(Func<Task> check)
        {
            await gate.WaitAsync();
            try
            {
                await check();
            }
            finally
            {
                gate.Release();
            }
        }

        var allAcked = workload.Acked.Concat(workload.AckedTransactions).ToList();
        var acked = NewAndSampled(workload.Acked, checkedBefore.Versions, 1000, random)
            .Concat(NewAndSampled(workload.AckedTransactions, checkedBefore.TransactionVersions, 500, random)).ToList();
        var latest = allAcked.GroupBy(a => (a.ResourceType, a.Id)).ToDictionary(g => g.Key, g => g.MaxBy(a => a.Version)!);
        var checks = new List<Task>();
        checks.AddRange(acked.Select(a => Bounded(() => AssertReadsBackAsync(client, a))));
        checks.AddRange(acked.Select(a => latest[(a.ResourceType, a.Id)]).Distinct().Select(a => Bounded(() => AssertCurrentAsync(client, a))));
        checks.AddRange(NewAndSampled(workload.Transactions, checkedBefore.Transactions, 150, random).Select(t => Bounded(() => AssertAllOrNoneAsync(client, t))));
        checks.AddRange(NewAndSampled(workload.ResponseSubjects, checkedBefore.Subjects, 150, random).Distinct()
            .Select(s => Bounded(() => AssertScoredAsync(client, s.Patient, s.Instrument))));
        await Task.WhenAll(checks);

        // Every acknowledged transaction is there, not merely "all or none".
        foreach (var marker in workload.AckedTransactions.Select(a => a.Marker).Distinct())
        {
            var sent = workload.Transactions.Single(t => t.Marker == marker);
            Assert.Equal(sent.Patients + sent.Observations, workload.AckedTransactions.Count(a => a.Marker == marker));
        }
    }

    /// <summary>The acknowledged version reads back with its content.</summary>
    private static async Task AssertReadsBackAsync(HttpClient client, AckedVersion acked)
    {
        using var vread = await client.GetAsync(new Uri($"/fhir/{acked.ResourceType}/{acked.Id}/_history/{acked.Version}", UriKind.Relative));
        Assert.True(vread.StatusCode == HttpStatusCode.OK, $"{acked} was acknowledged, then vread answered {(int)vread.StatusCode}");
        var resource = await vread.ReadAsAsync<Resource>();
        Assert.True(Carries(resource, acked.Marker), $"{acked} reads back without its marker");
    }

    /// <summary>The current version is the latest acknowledged one or a later one (a write cut off after its commit).</summary>
    private static async Task AssertCurrentAsync(HttpClient client, AckedVersion latest)
    {
        using var read = await client.GetAsync(new Uri($"/fhir/{latest.ResourceType}/{latest.Id}", UriKind.Relative));
        Assert.True(read.StatusCode == HttpStatusCode.OK, $"{latest} was acknowledged, then read answered {(int)read.StatusCode}");
        var current = int.Parse((await read.ReadAsAsync<Resource>()).Meta!.VersionId!, CultureInfo.InvariantCulture);
        Assert.True(current >= latest.Version, $"{latest} was acknowledged, but the current version is {current}");
    }

    /// <summary>A transaction, acknowledged or cut off by the kill, left all of its entries or none, index rows included.</summary>
    private static async Task AssertAllOrNoneAsync(HttpClient client, SentTransaction sent)
    {
        var patients = await CountAsync(client, $"/fhir/Patient?identifier={CrashWorkload.MarkerSystem}|{sent.Marker}");
        var observations = await CountAsync(client, $"/fhir/Observation?identifier={CrashWorkload.MarkerSystem}|{sent.Marker}");
        Assert.True(
            (patients, observations) == (0, 0) || (patients, observations) == (sent.Patients, sent.Observations),
            $"transaction {sent.Marker} is half there: {patients} of {sent.Patients} patients, {observations} of {sent.Observations} observations");
    }

    /// <summary>Every stored response of this subject has its score Observations, and no score is left without its response.</summary>
    private static async Task AssertScoredAsync(HttpClient client, string patient, string instrument)
    {
        // WAI-SR: total and three subscales; SRS: total and its four line scores.
        var expected = instrument == "wai-sr" ? 4 : 5;
        var responses = await client.SearchAsync($"/fhir/QuestionnaireResponse?subject=Patient/{patient}&_count=50");
        var responseIds = responses.Entry.Select(e => e.Resource).OfType<QuestionnaireResponse>().Select(r => r.Id!).ToList();
        foreach (var id in responseIds)
        {
            Assert.Equal(expected, await CountAsync(client, $"/fhir/Observation?derived-from=QuestionnaireResponse/{id}"));
        }

        Assert.Equal(expected * responseIds.Count, await CountAsync(client, $"/fhir/Observation?subject=Patient/{patient}"));
    }

    private static async Task<int> CountAsync(HttpClient client, string url)
    {
        var bundle = await client.SearchAsync(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "_count=100");
        return bundle.Entry.Count(e => e.Search?.Mode is null or Bundle.SearchEntryMode.Match);
    }

    private static bool Carries(Resource resource, string marker) => resource switch
    {
        Patient p => p.Identifier.Any(i => i.Value == marker),
        Observation o => o.Identifier.Any(i => i.Value == marker),
        QuestionnaireResponse r => r.Subject?.Reference == $"Patient/{marker}",
        _ => false,
    };

    private static HttpClient ClientOf(ApiProcess api) => new() { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    private static int? EnvironmentInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
