using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;
using Xunit.Abstractions;

namespace AllianceFhir.Storage.Tests.Search;

/// <summary>
/// A criterion with thousands of matches under the default order switches from an IN list to an ordered walk with
/// per-row checks. Both strategies must return the same rows, page by page, each once.
/// </summary>
public sealed class BroadSearchTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Broad = 2300;
    private SqliteStore _store = null!;
    private List<string> _even = [];

    public async Task InitializeAsync()
    {
        _store = await SqliteStore.CreateAsync();
        for (var batch = 0; batch < Broad; batch += 500)
        {
            var ids = await _store.AddManyAsync(Enumerable.Range(batch, Math.Min(500, Broad - batch)).Select(i => (Resource)new Observation
            {
                Status = ObservationStatus.Final,
                Code = new CodeableConcept("http://loinc.org", "broad"),
                Effective = new FhirDateTime(i % 2 == 0 ? "2026-03-01" : "2025-03-01"),
            }));
            _even.AddRange(ids.Where((_, i) => i % 2 == 0));
        }
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_broad_unsorted_search_pages_through_every_match_once()
    {
        var query = _store.Parser.Parse("Observation", [new("code", "broad"), new("date", "ge2026-01-01"), new("_count", "400")]);
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            _store.Recorder.Clear();
            var page = await _store.Store.SearchAsync(new SearchRequest(query, ["Observation"], cursor), CancellationToken.None);
            seen.AddRange(page.Matches.Select(m => m.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(_even, seen);

        // The last page ran as a walk: resources in surrogate order through the type index, both criteria per row.
        var plans = new List<string>();
        foreach (var command in _store.Recorder.Commands)
        {
            plans.AddRange(await _store.ExplainAsync(command));
        }

        plans.ForEach(output.WriteLine);
        Assert.Contains(plans, line => line.Contains("IX_Resources_TypeHistory (TenantId=? AND ResourceType=? AND Surrogate>?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plans, line => line.StartsWith("SCAN ", StringComparison.Ordinal) && line != "SCAN CONSTANT ROW");
        Assert.DoesNotContain(plans, line => line.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }
}
