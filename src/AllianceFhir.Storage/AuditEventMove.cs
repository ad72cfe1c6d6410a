using System.Text;
using System.Text.Json;
using AllianceFhir.Core.Audit;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// The data step of the <c>AuditEventRows</c> migration: AuditEvents stored before it are resource versions with index
/// rows; each becomes a row of the AuditEvents table with the same id, recorded and lastUpdated (so its URL and its
/// content stay as they were), and its version and index rows are deleted. Reading the events' JSON needs C#, so the
/// migration only creates this step's marker table. Batches of <see cref="Batch"/> events, each moved in one
/// transaction, so an upgrade interrupted halfway continues at the next start; dropping the marker ends the step.
/// </summary>
internal static class AuditEventMove
{
    public const string Table = "AuditEventMove";

    private const int Batch = 1000;

    public static string CreateTableSql(bool sqlServer) => sqlServer
        ? $"CREATE TABLE {Table} (Pending bit NOT NULL);"
        : $"CREATE TABLE {Table} (Pending INTEGER NOT NULL);";

    public const string DropTableSql = $"DROP TABLE IF EXISTS {Table};";

    public static async Task RunAsync(FhirDbContext db, CancellationToken cancellationToken)
    {
        var exists = db.Database.IsSqlServer()
            ? $"SELECT COUNT(*) AS Value FROM sys.tables WHERE name = '{Table}'"
            : $"SELECT COUNT(*) AS Value FROM sqlite_master WHERE type = 'table' AND name = '{Table}'";
        if (await db.Database.SqlQueryRaw<int>(exists).SingleAsync(cancellationToken) == 0)
        {
            return;
        }

        var strategy = db.Database.CreateExecutionStrategy();
        while (await strategy.ExecuteAsync(() => MoveBatchAsync(db, cancellationToken)))
        {
        }

        await db.Database.ExecuteSqlRawAsync(DropTableSql, cancellationToken);
    }

    /// <summary>Moves up to one batch; whether there may be more.</summary>
    private static async Task<bool> MoveBatchAsync(FhirDbContext db, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var versions = await db.Resources.AsNoTracking()
            .Where(r => r.ResourceType == nameof(Hl7.Fhir.Model.AuditEvent))
            .OrderBy(r => r.Surrogate)
            .Take(Batch)
            .ToListAsync(cancellationToken);
        if (versions.Count == 0)
        {
            return false;
        }

        var moved = new List<(Entities.AuditEventEntity Entity, AuditEventRow Row)>();
        foreach (var version in versions.Where(v => v.Json is not null && !v.IsDeleted))
        {
            var row = FromJson(version.ResourceId, new DateTimeOffset(version.LastUpdated, TimeSpan.Zero), version.Json!);
            var entity = AuditEventRows.ToEntity(version.TenantId, row);
            db.AuditEvents.Add(entity);
            moved.Add((entity, row));
        }

        await db.SaveChangesAsync(cancellationToken);
        db.AuditEventTargets.AddRange(moved.SelectMany(m => AuditEventRows.Targets(m.Entity.TenantId, m.Row, m.Entity.Surrogate)));
        await db.SaveChangesAsync(cancellationToken);

        var surrogates = versions.Select(v => v.Surrogate).ToList();
        await db.TokenIndex.Where(e => surrogates.Contains(e.ResourceSurrogate)).ExecuteDeleteAsync(cancellationToken);
        await db.StringIndex.Where(e => surrogates.Contains(e.ResourceSurrogate)).ExecuteDeleteAsync(cancellationToken);
        await db.DateIndex.Where(e => surrogates.Contains(e.ResourceSurrogate)).ExecuteDeleteAsync(cancellationToken);
        await db.ReferenceIndex.Where(e => surrogates.Contains(e.ResourceSurrogate)).ExecuteDeleteAsync(cancellationToken);
        await db.UriIndex.Where(e => surrogates.Contains(e.ResourceSurrogate)).ExecuteDeleteAsync(cancellationToken);
        await db.NumberIndex.Where(e => surrogates.Contains(e.ResourceSurrogate)).ExecuteDeleteAsync(cancellationToken);
        await db.QuantityIndex.Where(e => surrogates.Contains(e.ResourceSurrogate)).ExecuteDeleteAsync(cancellationToken);
        await db.Resources.Where(r => surrogates.Contains(r.Surrogate)).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return versions.Count == Batch;
    }

    /// <summary>
    /// The row of an AuditEvent this server wrote (<see cref="AuditEventFactory"/>'s shape): the agents by their type
    /// (the requesting user, the client with its address), the entities by their role (domain resource, query, patient).
    /// </summary>
    internal static AuditEventRow FromJson(string id, DateTimeOffset lastUpdated, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string? user = null, client = null, address = null, query = null;
        var entities = new List<string>();
        var patients = new List<string>();
        foreach (var agent in Array(root, "agent"))
        {
            var type = FirstCode(agent.TryGetProperty("type", out var t) ? t : default);
            var who = agent.TryGetProperty("who", out var w) && w.TryGetProperty("identifier", out var i) ? Text(i, "value") : null;
            if (type == "IRCP")
            {
                user = who;
            }
            else if (type == AuditCodes.SourceRole)
            {
                client = who;
                address = agent.TryGetProperty("network", out var n) ? Text(n, "address") : null;
            }
        }

        foreach (var entity in Array(root, "entity"))
        {
            var role = entity.TryGetProperty("role", out var r) ? Text(r, "code") : null;
            var what = entity.TryGetProperty("what", out var x) ? Text(x, "reference") : null;
            switch (role)
            {
                case AuditCodes.QueryRole when Text(entity, "query") is { } base64:
                    query = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
                    break;
                case AuditCodes.PatientRole when what is not null:
                    patients.Add(what);
                    break;
                case AuditCodes.DomainResourceRole when what is not null:
                    entities.Add(what);
                    break;
            }
        }

        var subtype = Array(root, "subtype").Select(s => Text(s, "code")).FirstOrDefault(c => c is not null) ?? "transaction";
        var recorded = Text(root, "recorded") is { } text ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : lastUpdated;
        return new AuditEventRow(
            id,
            recorded.ToUniversalTime(),
            lastUpdated,
            subtype,
            Text(root, "action") ?? "E",
            Text(root, "outcome") ?? "0",
            user,
            client,
            address,
            entities,
            query,
            patients);
    }

    private static List<JsonElement> Array(JsonElement element, string name) =>
        element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray()] : [];

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? FirstCode(JsonElement concept) =>
        concept.ValueKind == JsonValueKind.Object ? Array(concept, "coding").Select(c => Text(c, "code")).FirstOrDefault() : null;
}
