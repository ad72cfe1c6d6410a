using AllianceFhir.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// The two committers must mean the same thing: the SQLite group committer (prepared statements) and the EF committer
/// SQL Server uses, which runs here on SQLite so its version handling is exercised too.
/// </summary>
public sealed class VersionCommitterTests : StorageTest
{
    [Theory]
    [InlineData("sqlite-group")]
    [InlineData("ef")]
    public async Task An_update_retires_the_previous_version_and_replaces_its_index_rows(string committerKind)
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = CommitterOf(committerKind, scope.ServiceProvider);
        var id = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Write(NewPatient(id, "First"))], CancellationToken.None);
        await committer.CommitAsync(Tenant, [Write(NewPatient(id, "Second"), version: 2)], CancellationToken.None);

        // A second writer that also read version 1 loses, and so does one creating the id again.
        var stale = await Assert.ThrowsAsync<VersionConflictException>(() => committer.CommitAsync(Tenant, [Write(NewPatient(id, "Third"), version: 2)], CancellationToken.None));
        Assert.Equal(id, stale.Id);
        await Assert.ThrowsAsync<VersionConflictException>(() => committer.CommitAsync(Tenant, [Write(NewPatient(id, "Again"))], CancellationToken.None));

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var versions = await db.Resources.Where(r => r.ResourceId == id).OrderBy(r => r.VersionId).ToListAsync();
        Assert.Equal([1, 2], versions.Select(v => v.VersionId));
        Assert.Equal([true, false], versions.Select(v => v.IsHistory));
        var families = await db.StringIndex.Where(s => s.ParamName == "family" && s.ResourceType == "Patient")
            .Join(db.Resources.Where(r => r.ResourceId == id), s => s.ResourceSurrogate, r => r.Surrogate, (s, _) => s.Exact)
            .ToListAsync();
        Assert.Equal(["Second"], families);
    }

    [Theory]
    [InlineData("sqlite-group")]
    [InlineData("ef")]
    public async Task A_commit_with_a_losing_write_stores_none_of_its_writes(string committerKind)
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = CommitterOf(committerKind, scope.ServiceProvider);
        var taken = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Write(NewPatient(taken, "Taken"))], CancellationToken.None);

        var fresh = Guid.NewGuid().ToString("N");
        await Assert.ThrowsAsync<VersionConflictException>(() => committer.CommitAsync(Tenant, [Write(NewPatient(fresh, "Fresh")), Write(NewPatient(taken, "Clash"))], CancellationToken.None));

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        Assert.False(await db.Resources.AnyAsync(r => r.ResourceId == fresh));
        Assert.Equal(1, await db.StringIndex.CountAsync(s => s.ParamName == "family"));
    }

    [Theory]
    [InlineData("sqlite-group")]
    [InlineData("ef")]
    public async Task A_condition_claim_admits_one_resource_and_names_it_to_the_next_claimant(string committerKind)
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = CommitterOf(committerKind, scope.ServiceProvider);
        var condition = $"identifier={Guid.NewGuid():N}";
        var first = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Claiming(Write(NewPatient(first, "First")), condition)], CancellationToken.None);

        var second = Guid.NewGuid().ToString("N");
        var lost = await Assert.ThrowsAsync<ConditionClaimedException>(() => committer.CommitAsync(Tenant, [Claiming(Write(NewPatient(second, "Second")), condition)], CancellationToken.None));

        Assert.Equal((second, condition, first), (lost.Id, lost.Condition, lost.Owner));
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        Assert.False(await db.Resources.AnyAsync(r => r.ResourceId == second));
        Assert.Equal(["First"], await db.StringIndex.Where(s => s.ParamName == "family").Select(s => s.Exact).ToListAsync());

        // The same condition for another type is another claim.
        var practitioner = new Hl7.Fhir.Model.Practitioner { Id = Guid.NewGuid().ToString("N") };
        await committer.CommitAsync(Tenant, [Claiming(Write(practitioner), condition)], CancellationToken.None);
    }

    [Theory]
    [InlineData("sqlite-group")]
    [InlineData("ef")]
    public async Task A_claim_takes_over_only_the_row_naming_the_resource_its_writer_verified(string committerKind)
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = CommitterOf(committerKind, scope.ServiceProvider);
        var condition = $"identifier={Guid.NewGuid():N}";
        var stale = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Claiming(Write(NewPatient(stale, "Stale")), condition)], CancellationToken.None);

        var wrong = Guid.NewGuid().ToString("N");
        var refused = await Assert.ThrowsAsync<ConditionClaimedException>(() => committer.CommitAsync(Tenant, [Claiming(Write(NewPatient(wrong, "Wrong")), condition, replaces: "someone-else")], CancellationToken.None));
        Assert.Equal(stale, refused.Owner);

        var successor = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Claiming(Write(NewPatient(successor, "Successor")), condition, replaces: stale)], CancellationToken.None);

        // A second writer that also judged the old resource stale comes too late.
        var late = Guid.NewGuid().ToString("N");
        var lost = await Assert.ThrowsAsync<ConditionClaimedException>(() => committer.CommitAsync(Tenant, [Claiming(Write(NewPatient(late, "Late")), condition, replaces: stale)], CancellationToken.None));
        Assert.Equal(successor, lost.Owner);
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        Assert.Equal(2, await db.Resources.CountAsync());
    }

    [Theory]
    [InlineData("sqlite-group")]
    [InlineData("ef")]
    public async Task Concurrent_claims_of_one_condition_let_exactly_one_commit(string committerKind)
    {
        var condition = $"identifier={Guid.NewGuid():N}";
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 16).Select(async i =>
        {
            await gate.Task;
            await using var scope = Services.CreateAsyncScope();
            var id = $"racer-{i}";
            try
            {
                await CommitterOf(committerKind, scope.ServiceProvider).CommitAsync(Tenant, [Claiming(Write(NewPatient(id, $"Racer{i}")), condition)], CancellationToken.None);
                return (Id: id, Owner: id);
            }
            catch (ConditionClaimedException ex)
            {
                return (Id: id, Owner: ex.Owner);
            }
        }).ToList();
        gate.SetResult();
        var outcomes = await Task.WhenAll(racers);

        await using var check = Services.CreateAsyncScope();
        var stored = Assert.Single(await check.ServiceProvider.GetRequiredService<FhirDbContext>().Resources.Select(r => r.ResourceId).ToListAsync());
        Assert.All(outcomes, o => Assert.Equal(stored, o.Owner));
    }

    private static ResourceWrite Claiming(ResourceWrite write, string condition, string? replaces = null) =>
        write with { Claim = new ConditionClaim(condition, replaces) };

    private static IVersionCommitter CommitterOf(string kind, IServiceProvider services) => kind == "ef"
        ? services.GetRequiredService<EfVersionCommitter>()
        : services.GetRequiredService<Sqlite.SqliteGroupCommitter>();
}
