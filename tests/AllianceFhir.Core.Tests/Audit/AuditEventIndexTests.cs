using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Tests.Audit;

/// <summary>
/// Every read stores an AuditEvent through the single writer, so what a read's event costs to store bounds reads by id
/// (issue 10): it is one narrow row, built from the request's facts, with no resource JSON and no index rows.
/// </summary>
public sealed class AuditEventIndexTests
{
    private static readonly AccessContext Caller = new("practitioner-1", "client-1", [], "default", null);

    [Fact]
    public void A_read_by_id_is_stored_as_a_narrow_row_without_resource_or_index_rows()
    {
        var now = DateTimeOffset.UtcNow;
        var record = new AuditRecord(FhirInteraction.Read, null, null, now, 200, Caller, "127.0.0.1", ["Patient/abc"], null, ["Patient/abc"]);

        var write = AuditEventFactory.ToWrite(record, now);

        Assert.Null(write.Json);
        Assert.Empty(write.Index);
        var row = Assert.IsType<AuditEventRow>(write.Audit);
        Assert.Equal(("read", "R", "0"), (row.Subtype, row.Action, row.Outcome));
        Assert.Equal(("practitioner-1", "client-1", "127.0.0.1"), (row.User, row.Client, row.Address));
        Assert.Equal([("Patient", "abc")], row.Targets());
    }

    [Fact]
    public void Audit_event_ids_sort_in_the_order_the_events_were_stored()
    {
        // The (tenant, id) unique index takes one insert per read: ids in storing order append to its last page instead
        // of dirtying a random leaf page per event (docs/performance.md, "Reads by id: the request side").
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var record = new AuditRecord(FhirInteraction.Read, null, null, start, 200, Caller, "127.0.0.1", ["Patient/abc"], null, ["Patient/abc"]);

        var ids = Enumerable.Range(0, 64).Select(n => AuditEventRow.From(record, start.AddMilliseconds(n)).Id).ToList();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.All(ids, id => Assert.True(AllianceFhir.Core.Resources.FhirId.IsValid(id), id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_resource_built_from_a_row_is_the_BALP_event_with_the_rows_id_and_times()
    {
        var recorded = new DateTimeOffset(2026, 11, 30, 10, 0, 0, 123, TimeSpan.Zero);
        var record = new AuditRecord(FhirInteraction.SearchType, null, null, recorded, 403, Caller, "::1", [], "Observation?subject&_count=5", ["Patient/p1"]);
        var row = AuditEventRow.From(record, recorded.AddSeconds(1));

        var audit = AuditEventFactory.Create(row);

        Assert.Equal(row.Id, audit.Id);
        Assert.Equal("1", audit.Meta!.VersionId);
        Assert.Equal(recorded.AddSeconds(1), audit.Meta.LastUpdated);
        Assert.Equal(recorded, audit.Recorded);
        Assert.Equal("search-type", audit.Subtype.Single().Code);
        Assert.Equal(AuditEvent.AuditEventAction.E, audit.Action);
        Assert.Equal(AuditEvent.AuditEventOutcome.N4, audit.Outcome);
        Assert.Contains(audit.Agent, a => a.Who?.Identifier?.Value == "practitioner-1" && a.Requestor == true);
        Assert.Contains(audit.Agent, a => a.Who?.Identifier?.Value == "client-1" && a.Network?.Address == "::1");
        Assert.Contains(audit.Entity, e => e.Role?.Code == "24" && System.Text.Encoding.UTF8.GetString(e.Query!) == "Observation?subject&_count=5");
        Assert.Contains(audit.Entity, e => e.Role?.Code == "1" && e.What?.Reference == "Patient/p1");
    }
}
