using System.Text;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Microsoft.Data.Sqlite;

namespace AllianceFhir.Api.Tests.Audit;

/// <summary>
/// The AuditEvents in a test app's database file, read beside the app (reading them over the API would itself be
/// audited), as parsed resources and as the raw JSON the database holds.
/// </summary>
public static class AuditTrail
{
    public static IReadOnlyList<string> RawJson(string databasePath)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Json FROM Resources WHERE ResourceType = 'AuditEvent' ORDER BY Surrogate";
        using var reader = command.ExecuteReader();
        var all = new List<string>();
        while (reader.Read())
        {
            all.Add(reader.GetString(0));
        }

        return all;
    }

    public static IReadOnlyList<AuditEvent> All(string databasePath) =>
        [.. RawJson(databasePath).Select(json => (AuditEvent)FhirSerialization.ParseStored(json))];

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
