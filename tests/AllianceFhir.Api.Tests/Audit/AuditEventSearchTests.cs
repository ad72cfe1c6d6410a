using System.Net;
using AllianceFhir.Api.Tests.Bundles;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Api.Tests.Search;
using AllianceFhir.Core.Audit;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Audit;

/// <summary>
/// AuditEvent is a virtual type over narrow rows: each supported R4 parameter finds exactly the events it names, sorts
/// and pages as any search does, reads and vreads answer the same resource, and every parameter, modifier, chain or
/// include the rows cannot answer is reported (or refused under strict handling), never silently matched or dropped.
/// </summary>
public sealed class AuditEventSearchTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    /// <summary>A patient with three events about it, in this order: its create, a read of it, a search naming it.</summary>
    private async Task<(string Patient, DateTimeOffset Before)> PatientWithEventsAsync()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var patient = await _client.CreateAsync(Patients.WithMrn(Guid.NewGuid().ToString("N")));
        using (await _client.GetAsync($"/fhir/Patient/{patient.Id}"))
        {
        }

        await Task.Delay(20);
        using (await _client.GetAsync($"/fhir/Observation?subject=Patient/{patient.Id}&_count=3"))
        {
        }

        await AuditTrail.WaitForAsync(app.DatabasePath, db => [.. AuditTrail.All(db).Where(e => e.Patients().Contains($"Patient/{patient.Id}"))], count: 3);
        return (patient.Id!, before);
    }

    private async Task<List<string>> SubtypesAsync(string query)
    {
        var bundle = await _client.SearchAsync($"/fhir/AuditEvent?{query}", prefer: "handling=strict");
        return [.. bundle.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => ((AuditEvent)e.Resource!).Subtype())];
    }

    [Theory]
    [InlineData("", "create,read,search-type")]
    [InlineData("&action=R", "read")]
    [InlineData("&action:not=R", "create,search-type")]
    [InlineData("&action=C,E", "create,search-type")]
    [InlineData("&subtype=http://hl7.org/fhir/restful-interaction|create", "create")]
    [InlineData("&subtype=http://example.org/other|create", "")]
    [InlineData("&type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest&outcome=0", "create,read,search-type")]
    [InlineData("&outcome=4", "")]
    [InlineData("&entity-role=24", "search-type")]
    [InlineData("&entity-role=4", "create,read")]
    [InlineData("&entity-type=1", "create,read,search-type")]
    [InlineData("&agent:identifier=development", "create,read,search-type")]
    [InlineData("&agent:identifier=someone-else", "")]
    [InlineData("&agent=Practitioner/development", "")]
    [InlineData("&date=ge{before}", "create,read,search-type")]
    [InlineData("&date=lt{before}", "")]
    [InlineData("&_lastUpdated=ge{before}", "create,read,search-type")]
    [InlineData("&entity:missing=false&patient:missing=false", "create,read,search-type")]
    [InlineData("&_sort=-date", "search-type,read,create")]
    [InlineData("&_sort=_lastUpdated", "create,read,search-type")]
    public async Task A_supported_parameter_finds_exactly_the_events_it_names(string criteria, string expected)
    {
        var (patient, before) = await PatientWithEventsAsync();
        var query = $"patient=Patient/{patient}" + criteria.Replace("{before}", Uri.EscapeDataString(before.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture)), StringComparison.Ordinal);

        var subtypes = await SubtypesAsync(query);

        Assert.Equal(expected.Length == 0 ? [] : expected.Split(','), subtypes);
    }

    [Fact]
    public async Task Entity_finds_the_events_of_a_resource_by_reference_or_bare_id()
    {
        var (patient, _) = await PatientWithEventsAsync();

        Assert.Equal(["create", "read", "search-type"], await SubtypesAsync($"entity=Patient/{patient}&_sort=date"));
        Assert.Equal(["create", "read", "search-type"], await SubtypesAsync($"entity={patient}&_sort=date"));
        Assert.Equal(["create", "read", "search-type"], await SubtypesAsync($"entity:Patient={patient}&_sort=date"));
        Assert.Empty(await SubtypesAsync($"entity=Observation/{patient}"));
    }

    [Fact]
    public async Task Pages_walk_forward_and_back_in_the_sort_order()
    {
        var (patient, _) = await PatientWithEventsAsync();

        var first = await _client.SearchAsync($"/fhir/AuditEvent?patient=Patient/{patient}&_sort=-date&_count=2&_total=accurate");
        var second = await _client.SearchAsync(SearchClient.Link(first, "next")!);
        var back = await _client.SearchAsync(SearchClient.Link(second, "previous")!);

        Assert.Equal(["search-type", "read"], first.Entry.Select(e => ((AuditEvent)e.Resource!).Subtype()));
        Assert.Equal(["create"], second.Entry.Select(e => ((AuditEvent)e.Resource!).Subtype()));
        Assert.Null(SearchClient.Link(second, "next"));
        Assert.Equal(SearchClient.MatchIds(first), SearchClient.MatchIds(back));
        Assert.Equal(3, first.Total);
    }

    [Fact]
    public async Task Read_vread_and_history_answer_the_event_a_search_found()
    {
        var (patient, _) = await PatientWithEventsAsync();
        var found = (AuditEvent)(await _client.SearchAsync($"/fhir/AuditEvent?patient=Patient/{patient}&action=R")).Entry.Single().Resource!;

        using var read = await _client.GetAsync($"/fhir/AuditEvent/{found.Id}");
        using var vread = await _client.GetAsync($"/fhir/AuditEvent/{found.Id}/_history/1");
        using var noSecondVersion = await _client.GetAsync($"/fhir/AuditEvent/{found.Id}/_history/2");
        var history = await _client.SearchAsync($"/fhir/AuditEvent/{found.Id}/_history");
        var byId = await _client.SearchAsync($"/fhir/AuditEvent?_id={found.Id}");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.True(found.IsExactly(await read.ReadAsAsync<AuditEvent>()));
        Assert.Equal("W/\"1\"", read.Headers.ETag?.ToString());
        Assert.True(found.IsExactly(await vread.ReadAsAsync<AuditEvent>()));
        Assert.Equal(HttpStatusCode.NotFound, noSecondVersion.StatusCode);
        Assert.Equal([found.Id], history.Entry.Select(e => e.Resource!.Id));
        Assert.Equal([found.Id], SearchClient.MatchIds(byId));
    }

    [Theory]
    [InlineData("source=AllianceFhir")]
    [InlineData("agent-name=Smith")]
    [InlineData("altid=x")]
    [InlineData("_tag=x")]
    [InlineData("entity:identifier=x")]
    [InlineData("subtype:text=read")]
    [InlineData("patient.name=Smith")]
    [InlineData("patient:Patient.name=Smith")]
    [InlineData("_has:AuditEvent:entity:action=R")]
    [InlineData("_include=AuditEvent:patient")]
    [InlineData("_sort=action")]
    public async Task What_the_rows_cannot_answer_is_reported_and_refused_when_strict(string query)
    {
        var (patient, _) = await PatientWithEventsAsync();
        var url = $"/fhir/AuditEvent?patient=Patient/{patient}&{query}";

        var lenient = await _client.SearchAsync(url);
        using var strict = await _client.GetAsync(url, prefer: "handling=strict");

        var outcome = Assert.IsType<OperationOutcome>(lenient.Entry.Single(e => e.Search?.Mode == Bundle.SearchEntryMode.Outcome).Resource);
        Assert.Contains(outcome.Issue, i => i.Diagnostics!.Contains(query.Split('=')[0], StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
    }

    [Theory]
    [InlineData("/fhir/Patient?_revinclude=AuditEvent:patient")]
    [InlineData("/fhir/Patient?_has:AuditEvent:patient:action=R")]
    [InlineData("/fhir/Observation?_include=Observation:subject:AuditEvent")]
    public async Task Other_types_cannot_reach_AuditEvents_by_includes_or_has(string url)
    {
        using var strict = await _client.GetAsync(url, prefer: "handling=strict");

        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
    }

    [Fact]
    public async Task AuditEvent_is_not_searched_together_with_other_types()
    {
        using var mixed = await _client.GetAsync("/fhir?_type=AuditEvent,Patient&_count=1");

        Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        Assert.Contains("AuditEvent", (await mixed.ReadAsAsync<OperationOutcome>()).Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_CapabilityStatement_declares_exactly_the_supported_AuditEvent_parameters()
    {
        using var response = await _client.GetAsync("/fhir/metadata");
        var capabilities = await response.ReadAsAsync<CapabilityStatement>();

        var audit = capabilities.Rest.Single().Resource.Single(r => r.Type == "AuditEvent");
        Assert.Equal(AuditEventSearch.Parameters.Order(StringComparer.Ordinal), audit.SearchParam.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Empty(audit.SearchInclude);
        Assert.Empty(audit.SearchRevInclude);
        Assert.DoesNotContain(capabilities.Rest.Single().Resource.SelectMany(r => r.SearchRevInclude), r => r!.StartsWith("AuditEvent:", StringComparison.Ordinal));
        Assert.DoesNotContain("source", audit.SearchParam.Select(p => p.Name));
    }
}
