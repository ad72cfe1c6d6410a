using AllianceFhir.Core.Audit;
using AllianceFhir.Storage.Entities;

namespace AllianceFhir.Storage;

/// <summary>Between the Core's <see cref="AuditEventRow"/> and the columns of the AuditEvents table.</summary>
internal static class AuditEventRows
{
    /// <summary>Between the references of a multi-valued column (the group committer joins them the same way).</summary>
    public const char Separator = '\n';

    public static AuditEventEntity ToEntity(string tenant, AuditEventRow row) => new()
    {
        TenantId = tenant,
        EventId = row.Id,
        Recorded = row.Recorded.UtcDateTime,
        LastUpdated = row.LastUpdated.UtcDateTime,
        Subtype = row.Subtype,
        Action = row.Action,
        Outcome = row.Outcome,
        UserId = row.User,
        ClientId = row.Client,
        Address = row.Address,
        Entities = Join(row.Entities),
        Query = row.Query,
        Patients = Join(row.Patients),
    };

    public static IEnumerable<AuditEventTargetEntity> Targets(string tenant, AuditEventRow row, long surrogate) =>
        row.Targets().Select(t => new AuditEventTargetEntity { AuditSurrogate = surrogate, TenantId = tenant, TargetType = t.Type, TargetId = t.Id });

    public static AuditEventRow ToRow(AuditEventEntity entity) => new(
        entity.EventId,
        new DateTimeOffset(entity.Recorded, TimeSpan.Zero),
        new DateTimeOffset(entity.LastUpdated, TimeSpan.Zero),
        entity.Subtype,
        entity.Action,
        entity.Outcome,
        entity.UserId,
        entity.ClientId,
        entity.Address,
        Split(entity.Entities),
        entity.Query,
        Split(entity.Patients));

    public static Core.Storage.ResourceVersion ToVersion(AuditEventEntity entity) =>
        AuditEventFactory.ToVersion(ToRow(entity), entity.Surrogate);

    /// <summary>Null rather than empty, so that "has no entity" is a plain IS NULL.</summary>
    public static string? Join(IReadOnlyList<string> references) => references.Count == 0 ? null : string.Join(Separator, references);

    private static string[] Split(string? text) => text is null ? [] : text.Split(Separator);
}
