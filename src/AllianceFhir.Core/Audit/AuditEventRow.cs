using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// One AuditEvent as the server stores it: the facts of one request in one narrow, append-only row (no FHIR resource is
/// built or serialized to store it, and it has no search-index rows). The AuditEvent resource a client reads is
/// synthesized from it (<see cref="AuditEventFactory.Create(AuditEventRow)"/>), the same bytes every time.
/// </summary>
/// <param name="Id">The AuditEvent's logical id.</param>
/// <param name="Recorded">When the request was recorded (<c>AuditEvent.recorded</c>).</param>
/// <param name="LastUpdated">When the row was stored (<c>meta.lastUpdated</c>); its only version is 1.</param>
/// <param name="Subtype">The restful-interaction code (<c>read</c>, <c>search-type</c>, <c>transaction</c>, …).</param>
/// <param name="Action">The audit-event-action code: C, R, U, D or E.</param>
/// <param name="Outcome">The audit-event-outcome code: 0, 4 or 8.</param>
/// <param name="User">The token's <c>sub</c>: the requesting user, when there was one.</param>
/// <param name="Client">The token's <c>client_id</c>.</param>
/// <param name="Address">The client's network address.</param>
/// <param name="Entities">References of the touched resources, in order (<c>Type/id</c> or <c>Type/id/_history/v</c>).</param>
/// <param name="Query">The query as <see cref="AuditQuery.Describe"/> leaves it.</param>
/// <param name="Patients">References (<c>Patient/id</c>) of the patients the request was about.</param>
public sealed record AuditEventRow(
    string Id,
    DateTimeOffset Recorded,
    DateTimeOffset LastUpdated,
    string Subtype,
    string Action,
    string Outcome,
    string? User,
    string? Client,
    string? Address,
    IReadOnlyList<string> Entities,
    string? Query,
    IReadOnlyList<string> Patients)
{
    /// <summary>The row of a request's record, stored at <paramref name="now"/>, with a new id.</summary>
    public static AuditEventRow From(AuditRecord record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (subtype, action) = Classify(record);
        return new AuditEventRow(
            FhirId.NewInOrder(now),
            Truncate(record.Recorded),
            Truncate(now),
            subtype,
            action,
            OutcomeOf(record.Status),
            record.Caller?.Subject,
            record.Caller?.ClientId,
            record.SourceAddress,
            Distinct(record.Entities),
            record.Query,
            Distinct(record.Patients));
    }

    /// <summary>
    /// Each reference once, in first-seen order, as <c>Distinct(StringComparer.Ordinal)</c> gives them. Every read's row
    /// is built here (on the audit writer's task) and names one or two references: compared in place, without the
    /// HashSet and enumerators LINQ allocates for them; a search's long lists still go through a set.
    /// </summary>
    private static string[] Distinct(IReadOnlyList<string> references)
    {
        const int ComparedInPlace = 8;
        if (references.Count > ComparedInPlace)
        {
            return [.. references.Distinct(StringComparer.Ordinal)];
        }

        var kept = new string[references.Count];
        var count = 0;
        foreach (var reference in references)
        {
            if (Array.IndexOf(kept, reference, 0, count) < 0)
            {
                kept[count++] = reference;
            }
        }

        return count == kept.Length ? kept : kept[..count];
    }

    /// <summary>
    /// The resources the event refers to as (type, id), versions dropped, each once: what <c>entity</c> and
    /// <c>patient</c> searches look up.
    /// </summary>
    public IEnumerable<(string Type, string Id)> Targets() =>
        Entities.Concat(Patients)
            .Select(TargetOf)
            .Where(target => target is not null)
            .Select(target => target!.Value)
            .Distinct();

    /// <summary>
    /// The (type, id) a reference names: the text before its first slash and up to its second (a version dropped);
    /// false for a reference without a slash. The one reading of a target, for <see cref="Targets"/> and for the SQLite
    /// writer, which reads them without allocating.
    /// </summary>
    public static bool TryReadTarget(ReadOnlySpan<char> reference, out ReadOnlySpan<char> type, out ReadOnlySpan<char> id)
    {
        var slash = reference.IndexOf('/');
        if (slash < 0)
        {
            type = id = default;
            return false;
        }

        type = reference[..slash];
        id = reference[(slash + 1)..];
        var end = id.IndexOf('/');
        if (end >= 0)
        {
            id = id[..end];
        }

        return true;
    }

    private static (string Type, string Id)? TargetOf(string reference) =>
        TryReadTarget(reference, out var type, out var id) ? (type.ToString(), id.ToString()) : null;

    /// <summary>BALP: reads R, searches and everything that runs (operations, Bundles) E, writes C/U/D.</summary>
    private static (string Subtype, string Action) Classify(AuditRecord record) => record.Interaction switch
    {
        FhirInteraction.Read => ("read", "R"),
        FhirInteraction.VRead => ("vread", "R"),
        FhirInteraction.HistoryInstance => ("history-instance", "R"),
        FhirInteraction.HistoryType => ("history-type", "R"),
        FhirInteraction.HistorySystem => ("history-system", "R"),
        FhirInteraction.SearchType => ("search-type", "E"),
        FhirInteraction.SearchSystem => ("search-system", "E"),
        FhirInteraction.Create or FhirInteraction.ConditionalCreate => ("create", "C"),
        FhirInteraction.Update or FhirInteraction.ConditionalUpdate => ("update", "U"),
        FhirInteraction.Patch => ("patch", "U"),
        FhirInteraction.Delete or FhirInteraction.ConditionalDelete => ("delete", "D"),
        FhirInteraction.Operation => ("operation", "E"),
        _ => (record.BundleKind ?? "transaction", "E"),
    };

    /// <summary>R4 audit-event-outcome: a refused or invalid request (4xx) is a minor failure, a server fault (5xx) a serious one.</summary>
    private static string OutcomeOf(int status) => status switch
    {
        < 400 => "0",
        < 500 => "4",
        _ => "8",
    };

    /// <summary>Millisecond precision, as every stored time of this server: the row and the synthesized resource agree.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new DateTimeOffset(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
