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
        await committer.CommitAsync([Write(NewPatient(id, "First"))], CancellationToken.None);
        await committer.CommitAsync([Write(NewPatient(id, "Second"), version: 2)], CancellationToken.None);

        // A second writer that also read version 1 loses, and so does one creating the id again.
        var stale = await Assert.ThrowsAsync<VersionConflictException>(() => committer.CommitAsync([Write(NewPatient(id, "Third"), version: 2)], CancellationToken.None));
        Assert.Equal(id, stale.Id);
        await Assert.ThrowsAsync<VersionConflictException>(() => committer.CommitAsync([Write(NewPatient(id, "Again"))], CancellationToken.None));

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
        await committer.CommitAsync([Write(NewPatient(taken, "Taken"))], CancellationToken.None);

        var fresh = Guid.NewGuid().ToString("N");
        await Assert.ThrowsAsync<VersionConflictException>(() => committer.CommitAsync(
            [Write(NewPatient(fresh, "Fresh")), Write(NewPatient(taken, "Clash"))], CancellationToken.None));

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        Assert.False(await db.Resources.AnyAsync(r => r.ResourceId == fresh));
        Assert.Equal(1, await db.StringIndex.CountAsync(s => s.ParamName == "family"));
    }

    private static IVersionCommitter CommitterOf(string kind, IServiceProvider services) => kind == "ef"
        ? services.GetRequiredService<EfVersionCommitter>()
        : services.GetRequiredService<Sqlite.SqliteGroupCommitter>();
}
