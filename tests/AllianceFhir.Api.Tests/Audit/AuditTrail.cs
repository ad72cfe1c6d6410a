using System.Text;
using AllianceFhir.Core.Audit;
using Hl7.Fhir.Model;
using Microsoft.Data.Sqlite;

namespace AllianceFhir.Api.Tests.Audit;

/// <summary>
/// The AuditEvents in a test app's database file, read beside the app (reading them over the API would itself be
/// audited): as the resources the server synthesizes from its narrow rows, and as the text the database holds.
/// </summary>
public static class AuditTrail
{
    private const string Columns = "EventId, Recorded, LastUpdated, Subtype, Action, Outcome, UserId, ClientId, Address, Entities, Query, Patients";

    /// <summary>Every stored column of each AuditEvent row, joined: what must never hold a name, answer or identifier.</summary>
    public static IReadOnlyList<string> StoredText(string databasePath) =>
        [.. Read(databasePath, r => string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? string.Empty : r.GetValue(i).ToString())))];

    public static IReadOnlyList<AuditEvent> All(string databasePath) =>
        [.. Read(databasePath, r => AuditEventFactory.Create(new AuditEventRow(
            r.GetString(0),
            new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero),
            new DateTimeOffset(r.GetDateTime(2), TimeSpan.Zero),
            r.GetString(3),
            r.GetString(4),
            r.GetString(5),
            r.IsDBNull(6) ? null : r.GetString(6),
            r.IsDBNull(7) ? null : r.GetString(7),
            r.IsDBNull(8) ? null : r.GetString(8),
            r.IsDBNull(9) ? [] : r.GetString(9).Split('\n'),
            r.IsDBNull(10) ? null : r.GetString(10),
            r.IsDBNull(11) ? [] : r.GetString(11).Split('\n'))))];

    private static List<T> Read<T>(string databasePath, Func<SqliteDataReader, T> map)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM AuditEvents ORDER BY Surrogate";
        using var reader = command.ExecuteReader();
        var all = new List<T>();
        while (reader.Read())
        {
            all.Add(map(reader));
        }

        return all;
    }

    /// <summary>The events with an entity that refers to <paramref name="reference"/> (or a version of it).</summary>
    public static IReadOnlyList<AuditEvent> About(string databasePath, string reference) =>
        [.. All(databasePath).Where(e => e.Entity.Any(x => x.What?.Reference is { } r && (r == reference || r.StartsWith(reference + "/_history/", StringComparison.Ordinal))))];

    /// <summary>Polls until <paramref name="select"/> finds at least <paramref name="count"/> events, or the time is up.</summary>
    public static async Task<IReadOnlyList<AuditEvent>> WaitForAsync(
        string databasePath,
        Func<string, IReadOnlyList<AuditEvent>> select,
        int count = 1,
        double seconds = 1.5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var found = select(databasePath);
            if (found.Count >= count || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await System.Threading.Tasks.Task.Delay(50);
        }
    }

    public static string Subtype(this AuditEvent audit) => audit.Subtype.Single(c => c.System == "http://hl7.org/fhir/restful-interaction").Code!;

    public static string? QueryText(this AuditEvent audit) =>
        audit.Entity.SingleOrDefault(e => e.Role?.Code == "24")?.Query is { } query ? Encoding.UTF8.GetString(query) : null;

    public static IEnumerable<string> Patients(this AuditEvent audit) =>
        audit.Entity.Where(e => e.Role?.Code == "1").Select(e => e.What!.Reference!);
}
