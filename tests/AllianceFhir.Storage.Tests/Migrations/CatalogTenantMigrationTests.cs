using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Tests.Writes;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Migrations;

/// <summary>A database seeded before tenants separated data: its catalog copies move to the catalog tenant, nothing else does.</summary>
public sealed class CatalogTenantMigrationTests : StorageTest
{
    [Fact]
    public async Task Catalog_rows_seeded_under_the_default_tenant_move_to_the_catalog_tenant_with_their_index_rows()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync("20261130100815_ConditionClaims");

        var srs = new Questionnaire { Id = "srs", Url = "http://alliancefhir.org/fhir/Questionnaire/srs", Version = "1.0.0", Status = PublicationStatus.Active };
        var clinicOwn = new Questionnaire { Id = "clinic-form", Url = "http://clinic.example.org/Questionnaire/form", Status = PublicationStatus.Active };
        // Written as the store of that time wrote them (its index rows had no ParamKey column yet).
        await LegacyWrites.CommitAsync(db, "default", [Write(srs), Write(clinicOwn), Write(NewPatient("p1", "Kept"))]);
        await LegacyWrites.CommitAsync(db, "default", [Write(srs, version: 2)]);

        await migrator.MigrateAsync();

        var tenants = await db.Resources.AsNoTracking().Select(r => new { r.ResourceId, r.TenantId }).ToListAsync();
        Assert.All(tenants.Where(r => r.ResourceId == "srs"), r => Assert.Equal(Tenants.Catalog, r.TenantId));
        Assert.Equal(2, tenants.Count(r => r.ResourceId == "srs"));
        Assert.All(tenants.Where(r => r.ResourceId != "srs"), r => Assert.Equal("default", r.TenantId));
        var srsSurrogates = db.Resources.Where(r => r.ResourceId == "srs").Select(r => r.Surrogate);
        Assert.NotEmpty(await db.UriIndex.Where(u => srsSurrogates.Contains(u.ResourceSurrogate)).ToListAsync());
        Assert.All(await db.UriIndex.Where(u => srsSurrogates.Contains(u.ResourceSurrogate)).ToListAsync(), u => Assert.Equal(Tenants.Catalog, u.TenantId));
        Assert.All(await db.TokenIndex.Where(t => srsSurrogates.Contains(t.ResourceSurrogate)).ToListAsync(), t => Assert.Equal(Tenants.Catalog, t.TenantId));

        // The default tenant now reads the catalog's srs (its newest version) through the fallback, and its own form as before.
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant("default");
        Assert.Equal(2, (await store.ReadCurrentAsync("Questionnaire", "srs", CancellationToken.None))?.VersionId);
        Assert.NotNull(await store.ReadCurrentAsync("Questionnaire", "clinic-form", CancellationToken.None));
    }
}
