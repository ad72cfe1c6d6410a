using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// A group's index rows are written at its end, sorted by key. A version created and retired within the same group
/// must then leave no rows behind, and a request undone by its savepoint must not leave its rows either.
/// </summary>
public sealed class SqliteWriteStatementsTests : StorageTest
{
    [Fact]
    public async Task Rows_of_a_version_retired_or_undone_within_the_group_are_never_written()
    {
        var id = Guid.NewGuid().ToString("N");
        var options = Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        using (var connection = SqliteNames.Open(options))
        using (var statements = new SqliteWriteStatements(connection, SqliteNames.ResolveModel(Services.GetRequiredService<IServiceScopeFactory>())))
        {
            statements.Begin();
            Assert.Null(statements.TryApply([statements.PrepareWrite(Tenant, Write(NewPatient(id, "Created")))]));
            Assert.Null(statements.TryApply([statements.PrepareWrite(Tenant, Write(NewPatient(id, "Updated"), version: 2))]));

            // Version 2 again: a lost race, undone alone.
            Assert.IsType<VersionConflictException>(statements.TryApply([statements.PrepareWrite(Tenant, Write(NewPatient(id, "Loser"), version: 2))]));
            statements.WriteIndexRows();
            statements.Commit();
        }

        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var current = await db.Resources.SingleAsync(r => r.ResourceId == id && !r.IsHistory);
        Assert.Equal(2, current.VersionId);
        var families = await db.StringIndex.Where(x => x.ParamName == "family").Select(x => new { x.ResourceSurrogate, x.Normalized }).ToListAsync();
        var family = Assert.Single(families);
        Assert.Equal(current.Surrogate, family.ResourceSurrogate);
        Assert.Equal("updated", family.Normalized);
    }
}
