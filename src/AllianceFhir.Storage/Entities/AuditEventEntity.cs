namespace AllianceFhir.Storage.Entities;

/// <summary>
/// One AuditEvent as one narrow, append-only row (<see cref="Core.Audit.AuditEventRow"/>): the resource is built from
/// it when read. Never updated or deleted by the server.
/// </summary>
public sealed class AuditEventEntity
{
    /// <summary>Write order: the default search order and the keyset of paging and history.</summary>
    public long Surrogate { get; set; }

    public required string TenantId { get; set; }

    /// <summary>The AuditEvent's logical id.</summary>
    public required string EventId { get; set; }

    /// <summary>AuditEvent.recorded, UTC, millisecond precision.</summary>
    public DateTime Recorded { get; set; }

    /// <summary>meta.lastUpdated: when the row was stored.</summary>
    public DateTime LastUpdated { get; set; }

    /// <summary>The restful-interaction code.</summary>
    public required string Subtype { get; set; }

    /// <summary>The audit-event-action code (C, R, U, D, E).</summary>
    public required string Action { get; set; }

    /// <summary>The audit-event-outcome code (0, 4, 8).</summary>
    public required string Outcome { get; set; }

    /// <summary>The requesting user (the token's <c>sub</c>).</summary>
    public string? UserId { get; set; }

    /// <summary>The client application (the token's <c>client_id</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client's network address.</summary>
    public string? Address { get; set; }

    /// <summary>The touched resources' references in order, one per line; null when none.</summary>
    public string? Entities { get; set; }

    /// <summary>The search's query as the audit keeps it (parameter names and result parameters only).</summary>
    public string? Query { get; set; }

    /// <summary>The patients' references, one per line; null when none.</summary>
    public string? Patients { get; set; }
}

/// <summary>
/// One resource an AuditEvent refers to (an entity or a patient, version dropped): what <c>entity</c> and
/// <c>patient</c> searches look up. One row per distinct target of the event.
/// </summary>
public sealed class AuditEventTargetEntity
{
    public long AuditSurrogate { get; set; }

    public required string TenantId { get; set; }

    public required string TargetType { get; set; }

    public required string TargetId { get; set; }
}

/// <summary>
/// A target row on its way to <see cref="AuditEventTargetEntity"/> (SQLite's group committer only): appended in write
/// order with no index, so a read's audit dirties no leaf of the (tenant, type, id) lookup; the committer moves staged
/// rows into the indexed table in key order, many per leaf, and <c>entity</c>/<c>patient</c> searches read both tables
/// (docs/performance.md, "Reads by id, fifth pass").
/// </summary>
public sealed class AuditEventStagedTargetEntity
{
    /// <summary>Append order (the rowid).</summary>
    public long Position { get; set; }

    public long AuditSurrogate { get; set; }

    public required string TenantId { get; set; }

    public required string TargetType { get; set; }

    public required string TargetId { get; set; }
}
