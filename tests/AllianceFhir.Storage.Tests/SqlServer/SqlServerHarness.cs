using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.SqlServer;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AllianceFhir.Storage.Tests.SqlServer;

/// <summary>
/// The production SQL Server wiring (its DbContext with the retrying strategy, the EF reader and committer, the store)
/// over a <see cref="RecordingConnection"/>: the store's real entry points run, and what they would send is recorded.
/// </summary>
public sealed class SqlServerHarness : IDisposable
{
    public static readonly SearchParameterRegistry Registry = new();
    private static readonly SearchIndexer Indexer = new(Registry);
    private static readonly SearchQueryParser Parser = new(Registry);

    private readonly SqlServerFhirDbContext _db;

    public SqlServerHarness(string tenant = "clinic-a")
    {
        _db = new SqlServerFhirDbContext(new DbContextOptionsBuilder<SqlServerFhirDbContext>()
            .UseSqlServer(Connection, sql => sql.EnableRetryOnFailure())
            .Options);
        Store = new EfResourceStore(_db, Registry, TimeProvider.System, new EfVersionReader(_db), new EfVersionCommitter(_db), tenant);
    }

    public RecordingConnection Connection { get; } = new();

    public EfResourceStore Store { get; }

    /// <summary>The model the statements are checked against: the SQL Server one, with its indexes and keys.</summary>
    public static Microsoft.EntityFrameworkCore.Metadata.IModel Model()
    {
        using var harness = new SqlServerHarness();
        return harness._db.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model;
    }

    public static SearchQuery Parse(string type, string query) =>
        Parser.Parse(type, query.Length == 0 ? [] : query.Split('&')
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(p[0], Uri.UnescapeDataString(p[1]))));

    public Task<SearchResult> SearchAsync(string type, string query, string? cursor = null) =>
        Store.SearchAsync(SearchRequest.ForType(Parse(type, query), cursor), CancellationToken.None);

    /// <summary>A search as a caller with these SMART scopes makes it: the access policy adds its restriction first.</summary>
    public Task<SearchResult> SearchAsAsync(string scopes, string patient, string type, string query)
    {
        var policy = new AccessPolicy(new PatientCompartment(Indexer), Registry, Indexer);
        var caller = new AccessContext("user", "app", SmartScope.ParseAll(scopes.Split(' ')), Store.Tenant, patient);
        return Store.SearchAsync(SearchRequest.ForType(policy.AuthorizeSearch(caller, Parse(type, query))), CancellationToken.None);
    }

    /// <summary>A write as the pipeline hands it to the store: id and meta set, index rows extracted.</summary>
    public static ResourceWrite Write(Resource resource, int version = 1, ConditionClaim? claim = null)
    {
        resource.Id ??= Guid.NewGuid().ToString("N");
        resource.Meta = new Meta { VersionId = version.ToString(System.Globalization.CultureInfo.InvariantCulture), LastUpdated = DateTimeOffset.UtcNow };
        return new ResourceWrite(resource.TypeName, resource.Id, version, resource.Meta.LastUpdated!.Value, false,
            FhirSerialization.JsonSerializer.SerializeToString(resource), version == 1 ? "POST" : "PUT",
            UnindexedReferences.Complete(Indexer.Extract(resource), LocalReferences.Of(resource)), claim);
    }

    public void Dispose() => _db.Dispose();
}
