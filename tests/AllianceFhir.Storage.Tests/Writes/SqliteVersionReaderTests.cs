using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// The SQLite reads by id are hand-prepared statements; the EF reader (SQL Server's) is the reference they must
/// agree with, field by field, for current, historic and deleted versions.
/// </summary>
public sealed class SqliteVersionReaderTests : StorageTest
{
    [Fact]
    public async Task Reads_by_id_agree_with_EF_for_current_historic_and_deleted_versions()
    {
        var id = Guid.NewGuid().ToString("N");
        await using var scope = Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(Tenant);
        var first = Write(NewPatient(id, "First"));
        await store.CommitAsync([first], CancellationToken.None);
        await store.CommitAsync([Write(NewPatient(id, "Second"), version: 2)], CancellationToken.None);
        var deletion = Write(NewPatient(id, "Gone"), version: 3, deleted: true);
        await store.CommitAsync([deletion], CancellationToken.None);

        var sqlite = Services.GetRequiredService<Sqlite.SqliteVersionReader>();
        var ef = scope.ServiceProvider.GetRequiredService<EfVersionReader>();

        var current = await sqlite.ReadCurrentAsync(Tenant, "Patient", id, CancellationToken.None);
        Assert.Equal(await ef.ReadCurrentAsync(Tenant, "Patient", id, CancellationToken.None), current);
        Assert.NotNull(current);
        Assert.True(current.IsDeleted);
        Assert.Equal(3, current.VersionId);
        Assert.Equal(deletion.LastUpdated, current.LastUpdated);

        var historic = await sqlite.ReadVersionAsync(Tenant, "Patient", id, 1, CancellationToken.None);
        Assert.Equal(await ef.ReadVersionAsync(Tenant, "Patient", id, 1, CancellationToken.None), historic);
        Assert.NotNull(historic);
        Assert.Equal(first.Json, historic.Json);
        Assert.Equal(first.LastUpdated, historic.LastUpdated);
        Assert.Equal("POST", historic.Method);

        Assert.Null(await sqlite.ReadCurrentAsync(Tenant, "Patient", "never-written", CancellationToken.None));
        Assert.Null(await sqlite.ReadVersionAsync(Tenant, "Patient", id, 4, CancellationToken.None));
        Assert.Null(await sqlite.ReadCurrentAsync(Tenant, "Observation", id, CancellationToken.None));
    }

    [Fact]
    public async Task A_kept_Questionnaire_is_handed_out_only_while_it_is_the_current_version()
    {
        var id = Guid.NewGuid().ToString("N");
        await using var scope = Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(Tenant);
        var sqlite = Services.GetRequiredService<Sqlite.SqliteVersionReader>();
        var ef = scope.ServiceProvider.GetRequiredService<EfVersionReader>();
        Questionnaire Titled(string title) => new() { Id = id, Status = PublicationStatus.Active, Title = title };

        await store.CommitAsync([Write(Titled("First"))], CancellationToken.None);
        var first = await sqlite.ReadCurrentAsync(Tenant, "Questionnaire", id, CancellationToken.None);
        var again = await sqlite.ReadCurrentAsync(Tenant, "Questionnaire", id, CancellationToken.None);
        Assert.Equal(await ef.ReadCurrentAsync(Tenant, "Questionnaire", id, CancellationToken.None), again);
        Assert.Same(first!.Json, again!.Json);

        await store.CommitAsync([Write(Titled("Second"), version: 2)], CancellationToken.None);
        var second = await sqlite.ReadCurrentAsync(Tenant, "Questionnaire", id, CancellationToken.None);
        Assert.Equal(await ef.ReadCurrentAsync(Tenant, "Questionnaire", id, CancellationToken.None), second);
        Assert.Contains("\"Second\"", second!.Json, StringComparison.Ordinal);

        await store.CommitAsync([Write(Titled("Gone"), version: 3, deleted: true)], CancellationToken.None);
        var deleted = await sqlite.ReadCurrentAsync(Tenant, "Questionnaire", id, CancellationToken.None);
        Assert.Equal(await ef.ReadCurrentAsync(Tenant, "Questionnaire", id, CancellationToken.None), deleted);
        Assert.True(deleted!.IsDeleted);
        Assert.Null(await sqlite.ReadCurrentAsync("another-tenant", "Questionnaire", id, CancellationToken.None));
    }
}
