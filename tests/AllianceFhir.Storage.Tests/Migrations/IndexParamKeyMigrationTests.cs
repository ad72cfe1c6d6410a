using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Tests.Writes;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Migrations;

/// <summary>
/// A database written before index rows had a parameter key (issue 11): after the upgrade every search finds what it
/// found before, for the tenant's own rows and the catalog's alike.
/// </summary>
public sealed class IndexParamKeyMigrationTests : StorageTest
{
    private const string LastMigrationWithoutKeys = "20261130113500_CatalogTenant";

    [Fact]
    public async Task Index_rows_written_before_the_upgrade_are_found_by_searches_afterwards()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync("0");
        await migrator.MigrateAsync(LastMigrationWithoutKeys);

        var patient = new Patient
        {
            Id = "legacy-patient",
            Name = [new HumanName { Family = "Legacy", Given = ["Old"] }],
            BirthDate = "1970-05-01",
            Identifier = [new Identifier("http://clinic.example.org/mrn", "MRN-1")],
        };
        var observation = new Observation
        {
            Id = "legacy-observation",
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "srs-total"),
            Subject = new ResourceReference("Patient/legacy-patient"),
            Value = new Quantity(31, "{score}"),
        };
        var questionnaire = new Questionnaire { Id = "catalog-form", Url = "http://alliance.example.org/Questionnaire/legacy", Version = "1.0.0", Status = PublicationStatus.Active };
        await LegacyWrites.CommitAsync(db, Tenant, [Write(patient), Write(observation)]);
        await LegacyWrites.CommitAsync(db, Tenants.Catalog, [Write(questionnaire)]);

        await FhirDatabase.MigrateAsync(db);

        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(Tenant);
        Assert.Equal(["legacy-patient"], await IdsAsync(store, "Patient", ("family", "legacy"), ("birthdate", "1970-05"), ("identifier", "http://clinic.example.org/mrn|MRN-1")));
        Assert.Equal(["legacy-observation"], await IdsAsync(store, "Observation", ("subject", "Patient/legacy-patient"), ("code", "http://loinc.org|srs-total"), ("value-quantity", "gt30")));
        Assert.Equal(["legacy-patient"], await IdsAsync(store, "Patient", ("_has:Observation:subject:code", "srs-total")));
        Assert.Equal(["catalog-form"], await IdsAsync(store, "Questionnaire", ("url", questionnaire.Url)));

        // Every row got its key, and the step's work table is gone, so the next start does nothing.
        Assert.False(await db.TokenIndex.AnyAsync(x => x.ParamKey == 0));
        Assert.False(await db.StringIndex.AnyAsync(x => x.ParamKey == 0));
        Assert.False(await db.UriIndex.AnyAsync(x => x.ParamKey == 0));
        Assert.Equal(0, await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS Value FROM sqlite_master WHERE name = 'ParamKeyBackfill'").SingleAsync());
        await FhirDatabase.MigrateAsync(db);

        // Writes after the upgrade are found beside the old ones.
        await store.CommitAsync([Write(new Patient { Id = "new-patient", Name = [new HumanName { Family = "Legacy" }] })], CancellationToken.None);
        Assert.Equal(["legacy-patient", "new-patient"], (await IdsAsync(store, "Patient", ("family", "legacy"))).Order());
    }

    private static async Task<List<string>> IdsAsync(IResourceStore store, string type, params (string Name, string Value)[] parameters)
    {
        var query = new SearchQueryParser(Registry).Parse(type, [.. parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))]);
        var result = await store.SearchAsync(SearchRequest.ForType(query), CancellationToken.None);
        return [.. result.Matches.Select(m => m.Id)];
    }
}
