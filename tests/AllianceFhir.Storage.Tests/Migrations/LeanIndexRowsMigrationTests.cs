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
/// A database written while `_id` still had token rows and every reference entered the URL index (issue 11): the
/// upgrade drops the dead rows, narrows the index to references with a URL, and searches find what they found before.
/// </summary>
public sealed class LeanIndexRowsMigrationTests : StorageTest
{
    private const string LastMigrationWithIdRows = "20261130130755_IndexParamKeys";

    [Fact]
    public async Task Id_rows_are_dropped_and_searches_by_id_and_by_canonical_find_the_same_resources()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var migrator = db.GetService<IMigrator>();

        // Written with today's schema (the store's statements need every table it has now), then taken back to the
        // last schema with `_id` rows: the rollback restores the rows the store wrote for each resource before.
        await FhirDatabase.MigrateAsync(db);
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(Tenant);
        var response = new QuestionnaireResponse
        {
            Id = "old-response",
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Questionnaire = "http://alliance.example.org/Questionnaire/wai-sr|1.0.0",
            Subject = new ResourceReference("Patient/p1"),
        };
        await store.CommitAsync([Write(new Patient { Id = "p1" }), Write(response)], CancellationToken.None);
        await migrator.MigrateAsync(LastMigrationWithIdRows);
        Assert.Equal(2, await db.TokenIndex.CountAsync(x => x.ParamName == "_id"));

        await FhirDatabase.MigrateAsync(db);

        Assert.False(await db.TokenIndex.AnyAsync(x => x.ParamName == "_id"));
        var urlIndex = await db.Database.SqlQueryRaw<string>("SELECT sql AS Value FROM sqlite_master WHERE name = 'IX_ReferenceIndex_Url'").SingleAsync();
        Assert.Contains("WHERE \"Url\" IS NOT NULL", urlIndex, StringComparison.Ordinal);

        Assert.Equal(["p1"], await IdsAsync(store, "Patient", ("_id", "p1")));
        Assert.Equal(["old-response"], await IdsAsync(store, "QuestionnaireResponse", ("questionnaire", response.Questionnaire)));
        Assert.Equal(["old-response"], await IdsAsync(store, "QuestionnaireResponse", ("_id", "old-response"), ("subject", "Patient/p1")));
    }

    private static async Task<List<string>> IdsAsync(IResourceStore store, string type, params (string Name, string Value)[] parameters)
    {
        var query = new SearchQueryParser(Registry).Parse(type, [.. parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))]);
        var result = await store.SearchAsync(SearchRequest.ForType(query), CancellationToken.None);
        return [.. result.Matches.Select(m => m.Id)];
    }
}
