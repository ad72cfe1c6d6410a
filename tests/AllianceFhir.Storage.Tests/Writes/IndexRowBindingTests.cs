using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;
using Hl7.Fhir.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AllianceFhir.Storage.Tests.Writes.StorageServices;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>
/// The group committer binds every index table's rows itself (<see cref="Sqlite.IndexTableInsert"/>); what it stores must
/// be what EF's own inserts store, column by column and storage class by storage class, or searches would compare text
/// with numbers, or dates written by one path with dates written by the other.
/// </summary>
public sealed class IndexRowBindingTests : StorageTest
{
    [Fact]
    public async Task The_group_committer_stores_index_rows_exactly_as_EF_does()
    {
        await using var scope = Services.CreateAsyncScope();
        var group = scope.ServiceProvider.GetRequiredService<Sqlite.SqliteGroupCommitter>();
        var ef = scope.ServiceProvider.GetRequiredService<EfVersionCommitter>();

        await group.CommitAsync(Tenant, [.. Resources("g").Select(r => Write(r))], CancellationToken.None);
        await ef.CommitAsync(Tenant, [.. Resources("e").Select(r => Write(r))], CancellationToken.None);

        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = db.Model.GetEntityTypes().Where(e => e.ClrType.IsSubclassOf(typeof(SearchIndexEntity))).Select(e => e.GetTableName()!).ToList();
        var compared = 0;
        var dates = 0;
        foreach (var table in tables)
        {
            var groupRows = await RowsAsync(connection, table, "g");
            var efRows = await RowsAsync(connection, table, "e");
            Assert.Equal(efRows, groupRows);
            compared += groupRows.Count;
            dates += table == db.Model.FindEntityType(typeof(DateIndexEntity))!.GetTableName() ? groupRows.Count : 0;
        }

        Assert.True(compared > 40, $"only {compared} index rows compared");

        // No table is the exception any more: dates are bound by position too, as the driver's text (the Patient's
        // birth date, the Observation's effective period, the Questionnaire's date with its fraction).
        Assert.True(dates >= 3, $"only {dates} date rows compared");
    }

    /// <summary>Every column but the row's own id and its version's surrogate, as SQLite's storage class and quoted value.</summary>
    private static async Task<List<string>> RowsAsync(SqliteConnection connection, string table, string prefix)
    {
        var columns = await StoredRows.ColumnsAsync(connection, table);

        var shown = columns.Where(c => c is not ("Id" or "ResourceSurrogate")).Select(c => $"typeof(i.\"{c}\") || ':' || quote(i.\"{c}\")");
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {string.Join(" || ' ' || ", shown)} FROM \"{table}\" i JOIN \"Resources\" r ON r.\"Surrogate\" = i.\"ResourceSurrogate\" " +
            // _lastUpdated is the moment of each write, which differs between the two.
            "WHERE substr(r.\"ResourceId\", 1, 1) = $prefix AND i.\"ParamName\" <> '_lastUpdated'";
        command.Parameters.AddWithValue("$prefix", prefix);
        // The resource ids differ only in their first letter; the rows must not differ otherwise.
        return await StoredRows.SortedAsync(command, row => row.Replace($"'{prefix}-", "'x-", StringComparison.Ordinal));
    }

    private static IEnumerable<Resource> Resources(string prefix)
    {
        yield return new Patient
        {
            Id = $"{prefix}-p1",
            Identifier = [new Identifier("http://mrn", "1")],
            Active = true,
            Name = [new HumanName { Family = "Ånström", Given = ["Alex"] }],
            Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "a@example.org")],
            Gender = AdministrativeGender.Female,
            BirthDate = "1987-06-15",
            Address = [new Address { City = "Amsterdam", Country = "NL" }],
            GeneralPractitioner = [new ResourceReference($"Practitioner/{prefix}-t1")],
            ManagingOrganization = new ResourceReference("http://example.org/fhir/Organization/o1"),
        };
        yield return new Observation
        {
            Id = $"{prefix}-o1",
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "1-1", "One"),
            Subject = new ResourceReference($"Patient/{prefix}-p1"),
            Effective = new Period { Start = "2026-03-02T10:00:00+01:00", End = "2026-03-03" },
            Value = new Quantity { Value = 35.9m, Unit = "{score}", System = "http://unitsofmeasure.org", Code = "{score}" },
            Component = [new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "2-2"), Value = new Quantity(0.125m, "mg") }],
        };
        yield return new Questionnaire
        {
            Id = $"{prefix}-q1",
            Url = "http://example.org/Questionnaire/q1",
            Version = "1.0.0",
            Status = PublicationStatus.Active,
            Date = "2026-03-02T10:00:00.5+01:00",
            UseContext = [new UsageContext { Code = new Coding("http://terminology.hl7.org/CodeSystem/usage-context-type", "age"), Value = new Quantity(18, "a") }],
        };
    }
}
