using AllianceFhir.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// <see cref="IVersionCommitter.AppendAsync"/>, how the background audit writer stores its batches: every resource with
/// its index rows, or nothing, on both committers, and alongside ordinary commits.
/// </summary>
public sealed class AppendTests : StorageTest
{
    [Theory]
    [InlineData("sqlite-group")]
    [InlineData("ef")]
    public async Task An_append_stores_every_resource_with_its_index_rows(string committerKind)
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = CommitterOf(committerKind, scope.ServiceProvider);
        var ids = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid().ToString("N")).ToList();

        await committer.AppendAsync(Tenant, [.. ids.Select((id, i) => Write(NewPatient(id, $"Family{i}")))], CancellationToken.None);

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        Assert.Equal(300, await db.Resources.CountAsync(r => ids.Contains(r.ResourceId) && !r.IsHistory && r.VersionId == 1));
        var families = await db.StringIndex.Where(s => s.ParamName == "family")
            .Join(db.Resources, s => s.ResourceSurrogate, r => r.Surrogate, (s, r) => new { s.Exact, r.ResourceId })
            .ToListAsync();
        Assert.Equal(ids.Select((id, i) => $"{id}:Family{i}").Order(), families.Select(f => $"{f.ResourceId}:{f.Exact}").Order());
    }

    [Theory]
    [InlineData("sqlite-group")]
    [InlineData("ef")]
    public async Task An_append_with_one_write_that_cannot_be_stored_stores_none_of_it(string committerKind)
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = CommitterOf(committerKind, scope.ServiceProvider);
        var taken = Guid.NewGuid().ToString("N");
        await committer.CommitAsync(Tenant, [Write(NewPatient(taken, "Taken"))], CancellationToken.None);
        var fresh = Enumerable.Range(0, 50).Select(_ => Guid.NewGuid().ToString("N")).ToList();

        await Assert.ThrowsAsync<VersionConflictException>(() => committer.AppendAsync(
            Tenant,
            [.. fresh.Select(id => Write(NewPatient(id, "Fresh"))), Write(NewPatient(taken, "Clash"))],
            CancellationToken.None));

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        Assert.False(await db.Resources.AnyAsync(r => fresh.Contains(r.ResourceId)));
        Assert.Equal(["Taken"], await db.StringIndex.Where(s => s.ParamName == "family").Select(s => s.Exact).ToListAsync());
    }

    [Fact]
    public async Task Appends_and_commits_running_together_each_store_all_of_theirs()
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = scope.ServiceProvider.GetRequiredService<Sqlite.SqliteGroupCommitter>();
        var appended = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, 100).Select(_ => Guid.NewGuid().ToString("N")).ToList()).ToList();
        var committed = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid().ToString("N")).ToList();

        await Task.WhenAll(
            appended.Select(batch => committer.AppendAsync(Tenant, [.. batch.Select(id => Write(NewPatient(id, "Appended")))], CancellationToken.None))
                .Concat(committed.Select(id => committer.CommitAsync(Tenant, [Write(NewPatient(id, "Committed"))], CancellationToken.None))));

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var all = appended.SelectMany(b => b).Concat(committed).ToList();
        Assert.Equal(all.Count, await db.Resources.CountAsync(r => all.Contains(r.ResourceId)));
        Assert.Equal(1000, await db.StringIndex.CountAsync(s => s.ParamName == "family" && s.Exact == "Appended"));
        Assert.Equal(200, await db.StringIndex.CountAsync(s => s.ParamName == "family" && s.Exact == "Committed"));
    }

    [Fact]
    public async Task Only_new_resources_without_claims_can_be_appended()
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = scope.ServiceProvider.GetRequiredService<Sqlite.SqliteGroupCommitter>();

        await Assert.ThrowsAsync<ArgumentException>(() => committer.AppendAsync(
            Tenant, [Write(NewPatient(Guid.NewGuid().ToString("N"), "Second"), version: 2)], CancellationToken.None));
    }

    private static IVersionCommitter CommitterOf(string kind, IServiceProvider services) => kind == "ef"
        ? services.GetRequiredService<EfVersionCommitter>()
        : services.GetRequiredService<Sqlite.SqliteGroupCommitter>();
}
