using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Tests.Writes;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Search;

/// <summary>
/// `_id` is answered from the version rows, not from index rows (issue 11: a token row per resource cost a commit one
/// random page of the token lookup index each): a write stores none, and every form of `_id` search still means what
/// R4 says, for current versions only.
/// </summary>
public sealed class ResourceIdSearchTests : StorageTest
{
    [Fact]
    public async Task Writes_store_no_id_rows_and_id_searches_still_find_current_versions_only()
    {
        await using var scope = Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(Tenant);
        await store.CommitAsync([Write(Patient("a")), Write(Patient("b")), Write(Patient("c")), Write(Patient("gone"))], CancellationToken.None);
        await store.CommitAsync([Write(Patient("b"), version: 2), Write(Patient("gone"), version: 2, deleted: true)], CancellationToken.None);
        await store.CommitAsync([Write(new Observation { Id = "a", Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "x") })], CancellationToken.None);

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        Assert.False(await db.TokenIndex.AnyAsync(x => x.ParamName == "_id"));

        Assert.Equal(["a", "b"], await IdsAsync(store, ("_id", "a,b,gone")));
        Assert.Equal(["a"], await IdsAsync(store, ("_id", "|a")));
        Assert.Empty(await IdsAsync(store, ("_id", "http://example.org/ids|a")));
        Assert.Empty(await IdsAsync(store, ("_id", "gone")));
        Assert.Equal(["a", "c"], await IdsAsync(store, ("_id:not", "b")));
        Assert.Empty(await IdsAsync(store, ("_id:text", "a")));
        Assert.Empty(await IdsAsync(store, ("_id:missing", "true")));
        Assert.Equal(["a", "b", "c"], await IdsAsync(store, ("_id:missing", "false")));
        Assert.Equal(["b"], await IdsAsync(store, ("_id", "b"), ("family", "b")));
        Assert.Equal(["c", "b", "a"], await IdsAsync(store, ("_sort", "-_id")));
        Assert.Equal(["a", "b", "c"], await IdsAsync(store, ("_sort", "_id"), ("_count", "2")));
    }

    private static Patient Patient(string id) => new() { Id = id, Name = [new HumanName { Family = id }] };

    private static async Task<List<string>> IdsAsync(IResourceStore store, params (string Name, string Value)[] parameters)
    {
        var query = new SearchQueryParser(Registry).Parse("Patient", [.. parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))]);
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await store.SearchAsync(new SearchRequest(query, ["Patient"], cursor), CancellationToken.None);
            ids.AddRange(page.Matches.Select(m => m.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return parameters.Any(p => p.Name == "_sort") ? ids : [.. ids.Order(StringComparer.Ordinal)];
    }
}
