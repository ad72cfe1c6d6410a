using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// The group committer binds the version rows and the condition claims itself (<see cref="Sqlite.SqliteWriteStatements"/>);
/// what it stores must be what EF stores, byte for byte and storage class by storage class: history, _since and
/// conditional writes read these columns whoever wrote them.
/// </summary>
public sealed class VersionRowBindingTests : StorageTest
{
    private const string Condition = "identifier=http://mrn|1";

    [Fact]
    public async Task The_group_committer_stores_version_and_claim_rows_exactly_as_EF_does()
    {
        await using var scope = Services.CreateAsyncScope();
        var group = scope.ServiceProvider.GetRequiredService<Sqlite.SqliteGroupCommitter>();
        var ef = scope.ServiceProvider.GetRequiredService<EfVersionCommitter>();

        // The same history in two tenants: created with a claim, updated, deleted, a claim taken over.
        foreach (var (committer, tenant) in new (IVersionCommitter, string)[] { (group, "tenant-g"), (ef, "tenant-e") })
        {
            foreach (var commit in History())
            {
                await committer.CommitAsync(tenant, commit, CancellationToken.None);
            }
        }

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        var efVersions = await RowsAsync(connection, "Resources", "tenant-e");
        Assert.Equal(6, efVersions.Count);
        Assert.Equal(efVersions, await RowsAsync(connection, "Resources", "tenant-g"));

        var efClaims = await RowsAsync(connection, "ConditionClaims", "tenant-e");
        Assert.Equal(2, efClaims.Count);
        Assert.Equal(efClaims, await RowsAsync(connection, "ConditionClaims", "tenant-g"));
    }

    private static IEnumerable<IReadOnlyList<ResourceWrite>> History()
    {
        var created = new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.FromHours(1)).AddTicks(1_234_567);
        var patient = new Patient { Id = "p1", Name = [new HumanName { Family = "Ånström" }] };
        var observation = new Observation { Id = "o1", Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "1-1") };
        yield return
        [
            Version(patient, 1, created, "POST") with { Claim = new ConditionClaim(Condition, null) },
            Version(observation, 1, created, "POST") with { Claim = new ConditionClaim("code=1-1", null) },
        ];
        yield return [Version(patient, 2, created.AddSeconds(1).AddTicks(-1_234_567), "PUT")];
        yield return [new ResourceWrite(nameof(Observation), "o1", 2, created.AddMilliseconds(1500), true, null, "DELETE", [])];
        yield return [Version(new Patient { Id = "p2", Active = true }, 1, created.AddDays(1), "PUT") with { Claim = new ConditionClaim(Condition, "p1") }];
        yield return [Version(patient, 3, created.AddDays(2), "PATCH")];
    }

    private static ResourceWrite Version(Resource resource, int version, DateTimeOffset at, string method)
    {
        var stamped = Write(resource, version);
        resource.Meta!.LastUpdated = at;
        return stamped with { LastUpdated = at, Method = method, Json = FhirSerialization.JsonSerializer.SerializeToString(resource) };
    }

    /// <summary>Every column but the surrogate and the tenant, as storage class, quoted value and bytes.</summary>
    private static async Task<List<string>> RowsAsync(SqliteConnection connection, string table, string tenant)
    {
        var columns = await StoredRows.ColumnsAsync(connection, table);

        var shown = columns.Where(c => c is not ("Surrogate" or "TenantId"))
            .Select(c => $"'{c}=' || typeof(\"{c}\") || ':' || quote(\"{c}\") || ':' || hex(\"{c}\")");
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(" || ' ' || ", shown)} || ' tenant ' || typeof(\"TenantId\") FROM \"{table}\" WHERE \"TenantId\" = $tenant";
        command.Parameters.AddWithValue("$tenant", tenant);
        return await StoredRows.SortedAsync(command, row => row);
    }
}
