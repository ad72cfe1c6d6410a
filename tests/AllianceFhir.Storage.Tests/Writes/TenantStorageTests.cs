using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// Both providers' committers and readers keep tenants apart in the same way: the same id, version and condition in
/// two tenants are two resources, and a read by id returns exactly the named tenant's row.
/// </summary>
public sealed class TenantStorageTests : StorageTest
{
    [Theory]
    [InlineData("sqlite-group")]
    [InlineData("ef")]
    public async Task The_same_id_version_and_condition_in_two_tenants_never_collide(string committerKind)
    {
        await using var scope = Services.CreateAsyncScope();
        var committer = committerKind == "ef"
            ? (IVersionCommitter)scope.ServiceProvider.GetRequiredService<EfVersionCommitter>()
            : Services.GetRequiredService<Sqlite.SqliteGroupCommitter>();
        var id = Guid.NewGuid().ToString("N");
        var condition = $"identifier=http://clinic.example.org/mrn|{id}";

        await committer.CommitAsync("clinic-a", [Write(NewPatient(id, "A1")) with { Claim = new ConditionClaim(condition, null) }], CancellationToken.None);
        await committer.CommitAsync("clinic-b", [Write(NewPatient(id, "B1")) with { Claim = new ConditionClaim(condition, null) }], CancellationToken.None);
        await committer.CommitAsync("clinic-a", [Write(NewPatient(id, "A2"), version: 2)], CancellationToken.None);

        // B's version 2 follows B's version 1, untouched by A's update; a second version 2 in A still loses.
        await committer.CommitAsync("clinic-b", [Write(NewPatient(id, "B2"), version: 2)], CancellationToken.None);
        await Assert.ThrowsAsync<VersionConflictException>(() => committer.CommitAsync("clinic-a", [Write(NewPatient(id, "A2bis"), version: 2)], CancellationToken.None));

        var readers = new IVersionReader[] { Services.GetRequiredService<Sqlite.SqliteVersionReader>(), scope.ServiceProvider.GetRequiredService<EfVersionReader>() };
        foreach (var reader in readers)
        {
            Assert.Contains("\"A2\"", (await reader.ReadCurrentAsync("clinic-a", "Patient", id, CancellationToken.None))?.Json, StringComparison.Ordinal);
            Assert.Contains("\"B2\"", (await reader.ReadCurrentAsync("clinic-b", "Patient", id, CancellationToken.None))?.Json, StringComparison.Ordinal);
            Assert.Contains("\"B1\"", (await reader.ReadVersionAsync("clinic-b", "Patient", id, 1, CancellationToken.None))?.Json, StringComparison.Ordinal);
            Assert.Null(await reader.ReadCurrentAsync("clinic-c", "Patient", id, CancellationToken.None));
        }

        var stores = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>();
        foreach (var (tenant, family) in new[] { ("clinic-a", "A2"), ("clinic-b", "B2") })
        {
            var store = stores.ForTenant(tenant);
            var found = await store.SearchAsync(SearchRequest.ForType(new SearchQueryParser(Registry).Parse("Patient", [new("family", family[..1])])), CancellationToken.None);
            Assert.Equal([family], found.Matches.Select(v => v.ToResource()).Cast<Patient>().Select(p => p.Name[0].Family));
            var history = await store.HistoryAsync(new HistoryQuery(null, null, null, 100), CancellationToken.None);
            Assert.Equal([2, 1], history.Select(v => v.VersionId));
        }
    }

    [Fact]
    public async Task A_tenant_sees_the_catalogs_definitional_resources_but_no_other_tenants_and_its_own_win()
    {
        await using var scope = Services.CreateAsyncScope();
        var stores = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>();
        var url = $"http://example.org/Questionnaire/{Guid.NewGuid():N}";
        Questionnaire Questionnaire(string id, string title) => new() { Id = id, Url = url, Title = title, Status = PublicationStatus.Active };

        await stores.ForTenant(Tenants.Catalog).CommitAsync([Write(Questionnaire("shipped", "Catalog")), Write(NewPatient("catalog-patient", "Hidden"))], CancellationToken.None);
        await stores.ForTenant("clinic-a").CommitAsync([Write(Questionnaire("mine", "A")), Write(Questionnaire("variant", "A variant"))], CancellationToken.None);
        await stores.ForTenant("clinic-b").CommitAsync([Write(Questionnaire("variant", "B variant"))], CancellationToken.None);

        var a = stores.ForTenant("clinic-a");
        Assert.NotNull(await a.ReadCurrentAsync("Questionnaire", "shipped", CancellationToken.None));
        Assert.NotNull(await a.ReadVersionAsync("Questionnaire", "shipped", 1, CancellationToken.None));
        Assert.Null(await a.ReadCurrentAsync("Patient", "catalog-patient", CancellationToken.None));
        Assert.Contains("A variant", (await a.ReadCurrentAsync("Questionnaire", "variant", CancellationToken.None))?.Json, StringComparison.Ordinal);

        var search = await a.SearchAsync(SearchRequest.ForType(new SearchQueryParser(Registry).Parse("Questionnaire", [new("url", url)])), CancellationToken.None);
        Assert.Equal(["A", "A variant", "Catalog"], search.Matches.Select(v => ((Questionnaire)v.ToResource()!).Title).Order());

        var b = stores.ForTenant("clinic-b");
        Assert.Null(await b.ReadCurrentAsync("Questionnaire", "mine", CancellationToken.None));
        var seenByB = await b.SearchAsync(SearchRequest.ForType(new SearchQueryParser(Registry).Parse("Questionnaire", [new("url", url)])), CancellationToken.None);
        Assert.Equal(["B variant", "Catalog"], seenByB.Matches.Select(v => ((Questionnaire)v.ToResource()!).Title).Order());
    }
}
