using System.Data.Common;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Sqlite;
using AllianceFhir.Storage.SqlServer;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// SQL Server is registered with a retrying execution strategy, which refuses a transaction opened outside it; the EF
/// committer must run its whole unit of work inside the strategy. No SQL Server engine runs here, so: the real SQL
/// Server registration is shown to retry the committer's unit from its first statement (a fault injected before any
/// network traffic), and the retry semantics themselves (fault before COMMIT, fault after a COMMIT that landed) run on a
/// real SQLite file under a retrying strategy of the same kind.
/// </summary>
public sealed class EfCommitterRetryTests : IAsyncDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"alliancefhir-retry-{Guid.NewGuid():N}.db");
    private readonly FaultInjector _faults = new();
    private ServiceProvider? _provider;

    [Fact]
    public async Task Sql_server_registration_runs_the_whole_commit_inside_its_retrying_strategy()
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Registry);
        services.Configure<StorageOptions>(o =>
        {
            o.Provider = StorageProvider.SqlServer;
            o.ConnectionString = "Server=127.0.0.1,1;Database=unused;Connect Timeout=1;TrustServerCertificate=True";
        });
        services.AddFhirStorage();
        services.ConfigureDbContext<SqlServerFhirDbContext>(o => o.AddInterceptors(_faults));
        _provider = services.BuildServiceProvider();
        await using var scope = _provider.CreateAsyncScope();
        Assert.True(scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.CreateExecutionStrategy().RetriesOnFailure);

        // The first attempt to open the connection fails transiently (TimeoutException is transient to the SQL Server
        // strategy), the second with an error it does not retry. Run outside the strategy, the committer would surface
        // the first fault; run inside it, the whole unit starts again from the top.
        _faults.OnOpen = attempt => attempt == 1 ? new TimeoutException("injected transient fault") : new SecondAttemptException();
        var committer = scope.ServiceProvider.GetRequiredService<EfVersionCommitter>();

        await Assert.ThrowsAsync<SecondAttemptException>(() =>
            committer.CommitAsync(Tenant, [Write(NewPatient(Guid.NewGuid().ToString("N"), "Retry"))], CancellationToken.None));
        Assert.Equal(2, _faults.Opens);
    }

    [Fact]
    public async Task A_fault_before_commit_retries_the_whole_unit_and_stores_it_once()
    {
        var committer = await SqliteCommitterAsync();
        var id = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Write(NewPatient(id, "First"))], CancellationToken.None);
        _faults.FailNextCommitting = true;

        await committer.CommitAsync(Tenant, [Write(NewPatient(id, "Second"), version: 2), Write(NewPatient(id + "b", "Other"))], CancellationToken.None);

        Assert.False(_faults.FailNextCommitting);
        await AssertStoredOnceAsync(id, id + "b");
    }

    [Fact]
    public async Task A_fault_after_a_commit_that_landed_is_success_and_nothing_is_written_twice()
    {
        var committer = await SqliteCommitterAsync();
        var id = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Write(NewPatient(id, "First"))], CancellationToken.None);
        _faults.FailNextCommitted = true;

        // Without the check that the commit landed, the retry would run the update again and lose to itself (409).
        await committer.CommitAsync(Tenant, [Write(NewPatient(id, "Second"), version: 2), Write(NewPatient(id + "b", "Other"))], CancellationToken.None);

        Assert.False(_faults.FailNextCommitted);
        await AssertStoredOnceAsync(id, id + "b");
    }

    [Fact]
    public async Task A_fault_before_commit_while_another_writer_takes_the_version_is_a_conflict()
    {
        var committer = await SqliteCommitterAsync();
        var id = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Write(NewPatient(id, "First"))], CancellationToken.None);

        // This commit's COMMIT never happens; before the strategy checks whether it landed, another writer stores
        // version 2. The check must not take the other writer's row for this commit's, and the retry loses the race.
        _faults.FailNextCommitting = true;
        _faults.AfterCommittingFault = () => _provider!.GetRequiredService<SqliteGroupCommitter>()
            .CommitAsync(Tenant, [Write(NewPatient(id, "Winner"), version: 2)], CancellationToken.None);

        await Assert.ThrowsAsync<VersionConflictException>(() =>
            committer.CommitAsync(Tenant, [Write(NewPatient(id, "Loser"), version: 2)], CancellationToken.None));

        Assert.True(_faults.AfterCommittingFaultRan);
        await using var scope = _provider!.CreateAsyncScope();
        Assert.Equal(["Winner"], await FamiliesAsync(scope.ServiceProvider.GetRequiredService<FhirDbContext>(), id));
    }

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    private async Task<EfVersionCommitter> SqliteCommitterAsync()
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Registry);
        services.Configure<StorageOptions>(o => o.ConnectionString = $"Data Source={_path}");
        services.AddFhirStorage();
        services.ConfigureDbContext<SqliteFhirDbContext>(o => o
            .UseSqlite(s => s.ExecutionStrategy(d => new RetryOnTimeout(d)))
            .AddInterceptors(_faults));
        _provider = services.BuildServiceProvider();
        await using (var scope = _provider.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<FhirDbContext>().Database.MigrateAsync();
        }

        // The committer lives as long as the test; its scope is disposed with the provider.
        return _provider.CreateScope().ServiceProvider.GetRequiredService<EfVersionCommitter>();
    }

    private async Task AssertStoredOnceAsync(string updated, string created)
    {
        await using var scope = _provider!.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var versions = await db.Resources.Where(r => r.ResourceId == updated).OrderBy(r => r.VersionId)
            .Select(r => new { r.VersionId, r.IsHistory }).ToListAsync();
        Assert.Equal([(1, true), (2, false)], versions.Select(v => (v.VersionId, v.IsHistory)));
        Assert.Equal(1, await db.Resources.CountAsync(r => r.ResourceId == created));
        Assert.Equal(["Second"], await FamiliesAsync(db, updated));
        Assert.Equal(["Other"], await FamiliesAsync(db, created));
    }

    private static Task<List<string>> FamiliesAsync(FhirDbContext db, string id) =>
        db.StringIndex.Where(s => s.ParamName == "family" && s.ResourceType == "Patient")
            .Join(db.Resources.Where(r => r.ResourceId == id), s => s.ResourceSurrogate, r => r.Surrogate, (s, _) => s.Exact)
            .ToListAsync();

    /// <summary>Retries what SQL Server's strategy also treats as transient (a timeout), at once.</summary>
    private sealed class RetryOnTimeout(ExecutionStrategyDependencies dependencies)
        : ExecutionStrategy(dependencies, maxRetryCount: 3, maxRetryDelay: TimeSpan.Zero)
    {
        protected override bool ShouldRetryOn(Exception exception) => exception is TimeoutException;
    }

    private sealed class SecondAttemptException() : Exception("the commit was attempted a second time");

    /// <summary>Faults at the moments a network or server fault can strike: opening, just before and just after COMMIT.</summary>
    private sealed class FaultInjector : DbConnectionInterceptor, IDbTransactionInterceptor
    {
        private int _opens;
        private Func<Task>? _beforeNextOpen;

        public Func<int, Exception?>? OnOpen { get; set; }

        /// <summary>
        /// Runs once, at the first connection open after the fault before COMMIT: another writer acting between the
        /// failed attempt and the strategy's next step.
        /// </summary>
        public Func<Task>? AfterCommittingFault { get; set; }

        public bool AfterCommittingFaultRan { get; private set; }

        public int Opens => _opens;

        public bool FailNextCommitting { get; set; }

        public bool FailNextCommitted { get; set; }

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(
            DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            var attempt = Interlocked.Increment(ref _opens);
            if (OnOpen?.Invoke(attempt) is { } fault)
            {
                throw fault;
            }

            return _beforeNextOpen is null ? ValueTask.FromResult(result) : RunBeforeOpenAsync(result);
        }

        private async ValueTask<InterceptionResult> RunBeforeOpenAsync(InterceptionResult result)
        {
            var action = _beforeNextOpen!;
            _beforeNextOpen = null;
            await action();
            AfterCommittingFaultRan = true;
            return result;
        }

        public ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (FailNextCommitting)
            {
                FailNextCommitting = false;
                _beforeNextOpen = AfterCommittingFault;
                AfterCommittingFault = null;
                throw new TimeoutException("injected fault before COMMIT");
            }

            return ValueTask.FromResult(result);
        }

        public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (FailNextCommitted)
            {
                FailNextCommitted = false;
                throw new TimeoutException("injected fault after COMMIT: the client cannot tell whether it landed");
            }

            return Task.CompletedTask;
        }
    }
}
