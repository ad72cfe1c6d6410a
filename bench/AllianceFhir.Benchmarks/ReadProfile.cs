using System.Globalization;
using System.Text;
using AllianceFhir.Api.Audit;
using AllianceFhir.Core;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// Where a read by id's CPU and allocations go (issues 10 and 11: reads ≥ 0.7× the bare baseline). The real application
/// runs in this process (the test host: no sockets) over a temp SQLite file; one caller reads one Patient at a time, and
/// each figure waits until the background audit writer has stored every AuditEvent the loop caused, so the writer's
/// work is in the figure. Then the parts on their own: the resource service's read in a fresh request scope, building
/// a read's AuditEvent (resource, JSON, index rows), and appending built AuditEvents in the writer's batches.
/// </summary>
internal static class ReadProfile
{
    private const string FhirJson = "application/fhir+json";
    private const int AuditBatch = 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        var reads = Option(args, "--reads", 5000);
        var warmup = Option(args, "--warmup", 10000);
        var rounds = Option(args, "--rounds", 2);
        var withToken = args.Contains("--token");
        using var sampler = args.Contains("--allocations") ? new AllocationSampler() : null;
        SubmitProfile.Sampler = sampler;
        var directory = Directory.CreateTempSubdirectory("alliancefhir-profile-read-").FullName;
        var database = Path.Combine(directory, "fhir.db");
        try
        {
            // --token: the server validates a bearer token as in the read-token scenario (the bench's IdP on loopback,
            // the token remembered after its first validation), so the per-request cost of a token is in the figures.
            await using var idp = withToken ? await BenchIdentityProvider.StartAsync() : null;
            await using var app = new ProfiledApplication(database, idp?.Issuer);
            using var client = app.CreateClient();
            if (idp is not null)
            {
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", idp.Token("system/*.*"));
            }

            Console.WriteLine(withToken ? "with a bearer token (system/*.*)" : "open server (no token)");
            await SampleResources.StoreReferencedAsync(client);

            var ids = new List<string>();
            for (var n = 0; n < 200; n++)
            {
                using var created = await client.PostAsync("/fhir/Patient", new StringContent(SampleResources.Patient(n), Encoding.UTF8, FhirJson));
                created.EnsureSuccessStatusCode();
                ids.Add(created.Headers.Location!.Segments[^3].TrimEnd('/'));
            }

            var parts = new Parts(app.Services, ids);
            Console.WriteLine($"warm-up: {warmup} reads over HTTP, then each part {warmup / 4} times");
            await MeasureReadsAsync(app.Services, client, database, ids, warmup);
            await parts.RunAllAsync(warmup / 4);

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{reads} per figure, one at a time, {rounds} rounds"));
            Console.WriteLine("| part | CPU µs per read | KB allocated per read | gen0 GCs per 1000 |");
            Console.WriteLine("|---|---:|---:|---:|");
            for (var round = 0; round < rounds; round++)
            {
                Print(await MeasureReadsAsync(app.Services, client, database, ids, reads));
                foreach (var figure in await parts.RunAllAsync(reads))
                {
                    Print(figure);
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        return 0;
    }

    /// <summary>The whole read over HTTP, with the time the audit writer needs to store the loop's events.</summary>
    private static async Task<SubmitProfile.Figure> MeasureReadsAsync(IServiceProvider services, HttpClient client, string database, List<string> ids, int count)
    {
        var backlog = services.GetRequiredService<AuditBacklog>();
        var before = CountAuditEvents(database);
        var droppedBefore = backlog.Dropped;
        return await SubmitProfile.MeasureAsync("whole read over HTTP, audit stored (in-process test host)", count, async n =>
        {
            using var response = await client.GetAsync($"/fhir/Patient/{ids[n % ids.Count]}");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            if (n == count - 1 && backlog.Dropped > droppedBefore)
            {
                Console.WriteLine($"  ({backlog.Dropped - droppedBefore} AuditEvents dropped by the full backlog during this figure)");
            }

            if (n == count - 1)
            {
                // Idle waiting costs no CPU: the figure holds the writer's work for every event of the loop.
                // One caller reading back to back outruns the writer; the backlog then drops events after a second's wait.
                while (CountAuditEvents(database) < before + count - (backlog.Dropped - droppedBefore))
                {
                    await Task.Delay(20);
                }
            }
        });
    }

    private static long CountAuditEvents(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM AuditEvents";
        return (long)command.ExecuteScalar()!;
    }

    private static void Print(SubmitProfile.Figure f)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {f.Name} | {f.CpuMicroseconds:F1} | {f.KilobytesAllocated:F2} | {f.Gen0PerThousand:F1} |"));
        foreach (var (type, share) in f.Types)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"|   sampled: {type} | | {share * f.KilobytesAllocated:F2} | |"));
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class Parts(IServiceProvider services, List<string> ids)
    {
        public async Task<List<SubmitProfile.Figure>> RunAllAsync(int count)
        {
            var figures = new List<SubmitProfile.Figure>
            {
                await SubmitProfile.MeasureAsync("resource service read in a new scope (DI + store)", count, async n =>
                {
                    await using var scope = services.CreateAsyncScope();
                    var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant("default");
                    await scope.ServiceProvider.ResourceServiceFor(store).ReadAsync("Patient", ids[n % ids.Count], CancellationToken.None);
                }),
            };

            var caller = new AccessContext("bench-service", "bench-client", [], "default", null);
            AuditRecord Record(int n)
            {
                var patient = $"Patient/{ids[n % ids.Count]}";
                return new AuditRecord(FhirInteraction.Read, null, null, DateTimeOffset.UtcNow, 200, caller, "127.0.0.1", [patient], null, [patient]);
            }

            var records = Enumerable.Range(0, count).Select(Record).ToArray();
            var built = new ResourceWrite[count];
            figures.Add(await SubmitProfile.MeasureAsync("build a read's AuditEvent row", count, n =>
            {
                built[n] = AuditEventFactory.ToWrite(records[n], DateTimeOffset.UtcNow);
                return Task.CompletedTask;
            }));

            await using var writerScope = services.CreateAsyncScope();
            var writerStore = writerScope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant("default");
            figures.Add(await SubmitProfile.MeasureAsync($"append built AuditEvents, batches of {AuditBatch} (per event)", count, async n =>
            {
                if (n % AuditBatch == 0)
                {
                    await writerStore.AppendAsync(built.Skip(n).Take(AuditBatch).ToList(), CancellationToken.None);
                }
            }));
            return figures;
        }
    }

    /// <summary>The API as the tests host it: Development (open), its own SQLite file, quiet logs, no rate limit.</summary>
    private sealed class ProfiledApplication(string database, string? authority) : WebApplicationFactory<AuditBacklog>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Fhir"] = $"Data Source={database}",
                ["Storage:Provider"] = "Sqlite",
                ["RateLimit:PermitLimit"] = "1000000000",
            };
            if (authority is not null)
            {
                settings["Auth:Authority"] = authority;
                settings["Auth:Audience"] = BenchIdentityProvider.Audience;
                settings["Auth:RequireHttpsMetadata"] = "false";
            }
            builder.UseEnvironment("Development");
            builder.UseContentRoot(Path.Combine(BenchmarkRunner.RepositoryRoot(), "src", "AllianceFhir.Api"));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        }
    }
}
