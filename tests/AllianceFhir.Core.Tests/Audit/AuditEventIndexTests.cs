using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;

namespace AllianceFhir.Core.Tests.Audit;

/// <summary>
/// Every read writes an AuditEvent through the single writer, so its index rows are a cost on every read: they must be
/// the rows its content implies (every standard parameter stays indexed, issue 11), and no more.
/// </summary>
public sealed class AuditEventIndexTests
{
    private static readonly AuditEventFactory Factory = new(new SearchIndexer(new SearchParameterRegistry()));

    [Fact]
    public void A_read_by_id_is_indexed_on_what_an_auditor_searches_and_nothing_else()
    {
        var caller = new AccessContext("practitioner-1", "client-1", [], "default", null);
        var now = DateTimeOffset.UtcNow;
        var record = new AuditRecord(FhirInteraction.Read, null, null, now, 200, caller, "127.0.0.1", ["Patient/abc"], null, ["Patient/abc"]);

        var write = Factory.ToWrite(AuditEventFactory.Create(record), now);

        Assert.Equal(
            ["_id", "_lastUpdated", "action", "address", "agent", "agent", "date", "entity", "entity-role", "entity-role", "entity-type", "entity-type", "outcome", "patient", "subtype", "type"],
            write.Index.Select(v => v.ParamName).Order(StringComparer.Ordinal));
    }
}
