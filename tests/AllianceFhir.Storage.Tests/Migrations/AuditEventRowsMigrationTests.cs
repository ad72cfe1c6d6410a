using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Serialization;
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
/// A database written while AuditEvents were resource versions with index rows (issue 10): the upgrade moves each into
/// the narrow AuditEvents table under the same id, drops its version and index rows, and the event reads back as the
/// same JSON and is found by the searches an auditor runs.
/// </summary>
public sealed class AuditEventRowsMigrationTests : StorageTest
{
    private const string LastMigrationWithAuditResources = "20261130154510_ExportJobs";

    [Fact]
    public async Task Stored_AuditEvent_resources_move_into_the_narrow_table_and_read_back_the_same()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        await FhirDatabase.MigrateAsync(db);
        await db.GetService<IMigrator>().MigrateAsync(LastMigrationWithAuditResources);

        // Two events as the server stored them before: the resource AuditEventFactory built, serialized, indexed.
        var caller = new AccessContext("practitioner-1", "client-1", [], Tenant, null);
        var recorded = new DateTimeOffset(2026, 11, 29, 8, 30, 0, 250, TimeSpan.Zero);
        var create = AuditEventRow.From(new AuditRecord(FhirInteraction.Create, null, null, recorded, 200, caller, "10.0.0.7", ["Patient/p1/_history/1"], null, ["Patient/p1"]), recorded);
        var search = AuditEventRow.From(new AuditRecord(FhirInteraction.SearchType, null, null, recorded.AddMinutes(1), 200, caller, "10.0.0.7", [], "Observation?subject&_count=5", ["Patient/p1"]), recorded.AddMinutes(1));
        var legacy = new[] { create, search }.Select(row =>
        {
            var audit = AuditEventFactory.Create(row);
            return new ResourceWrite(nameof(AuditEvent), row.Id, 1, row.LastUpdated, false, FhirSerialization.ToStoredJson(audit), "POST", new SearchIndexer(Registry).Extract(audit));
        }).ToList();
        await LegacyWrites.CommitAsync(db, Tenant, legacy);
        Assert.Equal(2, await db.Resources.CountAsync(r => r.ResourceType == "AuditEvent"));
        Assert.True(await db.ReferenceIndex.AnyAsync());

        await FhirDatabase.MigrateAsync(db);

        Assert.False(await db.Resources.AnyAsync(r => r.ResourceType == "AuditEvent"));
        Assert.False(await db.ReferenceIndex.AnyAsync() || await db.TokenIndex.AnyAsync() || await db.DateIndex.AnyAsync());
        Assert.Equal(0, await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS Value FROM sqlite_master WHERE name = 'AuditEventMove'").SingleAsync());
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(Tenant);
        foreach (var write in legacy)
        {
            var read = await store.ReadCurrentAsync(nameof(AuditEvent), write.Id, CancellationToken.None);
            Assert.Equal(write.Json, read?.Json);
        }

        var query = new SearchQueryParser(Registry).Parse(nameof(AuditEvent), [new("patient", "Patient/p1"), new("entity-role", "24")]);
        var found = await store.SearchAsync(SearchRequest.ForType(query), CancellationToken.None);
        Assert.Equal([search.Id], found.Matches.Select(m => m.Id));
    }
}
