using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

public sealed class PagingAndSortTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private readonly SearchClient _client = new(app.CreateClient());

    private async Task<List<string?>> WalkAsync(string url, Func<Task>? betweenPages = null)
    {
        var ids = new List<string?>();
        string? next = url;
        while (next is not null)
        {
            var page = await _client.SearchAsync(next);
            ids.AddRange(SearchClient.MatchIds(page));
            next = SearchClient.Link(page, "next");
            if (betweenPages is not null)
            {
                await betweenPages();
            }
        }

        return ids;
    }

    [Fact]
    public async Task Default_count_is_20_and_count_above_the_maximum_is_capped()
    {
        var code = SearchClient.Unique("c");
        for (var i = 0; i < 21; i++)
        {
            await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-01-01"));
        }

        var page = await _client.SearchAsync($"/fhir/Observation?code={code}");
        Assert.Equal(20, SearchClient.MatchIds(page).Count);
        Assert.NotNull(SearchClient.Link(page, "next"));

        var all = await _client.SearchAsync($"/fhir/Observation?code={code}&_count=5000");
        Assert.Equal(21, SearchClient.MatchIds(all).Count);
        Assert.Null(SearchClient.Link(all, "next"));
        Assert.Equal(21, all.Total);
    }

    [Fact]
    public async Task A_page_walk_returns_every_match_once_while_inserts_happen_concurrently()
    {
        var code = SearchClient.Unique("c");
        var original = new List<string?>();
        for (var i = 0; i < 23; i++)
        {
            // Dates repeat so the sort key ties and the surrogate tie-break matters.
            var resource = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, $"2026-01-{(i % 4) + 1:00}"));
            original.Add(resource.Id);
        }

        // A writer inserts matches (with dates before, inside and after the walked range) during the walk. It stops after
        // a bounded number: matches inserted behind the cursor are legitimately part of the walk, so a writer faster
        // than the walk would make it endless.
        const int MaxInserts = 40;
        using var stop = new CancellationTokenSource();
        var writerClient = new SearchClient(app.CreateClient());
        var inserted = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && inserted < MaxInserts)
            {
                await writerClient.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, $"2026-01-{(inserted % 5) + 1:00}"));
                Interlocked.Increment(ref inserted);
            }
        });

        var walked = await WalkAsync($"/fhir/Observation?code={code}&_sort=-date&_count=4", () => Task.Delay(20));
        await stop.CancelAsync();
        await writer;

        Assert.True(inserted > 0, "the writer should have inserted during the walk");
        Assert.Equal(walked.Count, walked.Distinct().Count());
        Assert.All(original, id => Assert.Contains(id, walked));
    }

    [Fact]
    public async Task Sort_by_several_keys_with_descending_and_stable_ties()
    {
        var tag = SearchClient.Unique("S");
        var b1 = await _client.CreateAsync(SearchData.Patient($"{tag}b", birthDate: "1990-01-01"));
        var a2 = await _client.CreateAsync(SearchData.Patient($"{tag}a", birthDate: "1980-01-01"));
        var a1 = await _client.CreateAsync(SearchData.Patient($"{tag}a", birthDate: "1990-01-01"));
        var a1Twin = await _client.CreateAsync(SearchData.Patient($"{tag}a", birthDate: "1990-01-01"));
        var none = await _client.CreateAsync(SearchData.Patient($"{tag}c"));

        Assert.Equal(
            [a1.Id, a1Twin.Id, a2.Id, b1.Id, none.Id],
            await _client.IdsAsync($"/fhir/Patient?family={tag}&_sort=family,-birthdate"));
        Assert.Equal(
            [a1.Id, a1Twin.Id, b1.Id, a2.Id, none.Id],
            await _client.IdsAsync($"/fhir/Patient?family={tag}&_sort=-birthdate,family"));

        // Walking the same sort in pages of two gives the same order.
        Assert.Equal(
            [a1.Id, a1Twin.Id, a2.Id, b1.Id, none.Id],
            await WalkAsync($"/fhir/Patient?family={tag}&_sort=family,-birthdate&_count=2"));
    }

    [Fact]
    public async Task Previous_links_walk_back_to_the_same_pages()
    {
        var code = SearchClient.Unique("c");
        for (var i = 0; i < 7; i++)
        {
            await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, $"2026-02-{i + 1:00}"));
        }

        var first = await _client.SearchAsync($"/fhir/Observation?code={code}&_sort=date&_count=3");
        Assert.Null(SearchClient.Link(first, "previous"));
        var second = await _client.SearchAsync(SearchClient.Link(first, "next")!);
        var third = await _client.SearchAsync(SearchClient.Link(second, "next")!);
        Assert.Single(SearchClient.MatchIds(third));
        Assert.Null(SearchClient.Link(third, "next"));

        var backToSecond = await _client.SearchAsync(SearchClient.Link(third, "previous")!);
        Assert.Equal(SearchClient.MatchIds(second), SearchClient.MatchIds(backToSecond));
        var backToFirst = await _client.SearchAsync(SearchClient.Link(backToSecond, "previous")!);
        Assert.Equal(SearchClient.MatchIds(first), SearchClient.MatchIds(backToFirst));
        Assert.Null(SearchClient.Link(backToFirst, "previous"));
    }

    [Fact]
    public async Task A_tampered_cursor_is_a_400()
    {
        using var response = await _client.GetAsync("/fhir/Patient?_cursor=not-a-cursor");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Sort_by_date_puts_resources_without_one_last_in_both_directions()
    {
        var code = SearchClient.Unique("c");
        var early = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-01-01"));
        var undated = await _client.CreateAsync(new Observation { Status = ObservationStatus.Final, Code = new CodeableConcept(SearchData.Loinc, code) });
        var late = await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-06-01"));

        Assert.Equal([early.Id, late.Id, undated.Id], await _client.IdsAsync($"/fhir/Observation?code={code}&_sort=date"));
        Assert.Equal([late.Id, early.Id, undated.Id], await _client.IdsAsync($"/fhir/Observation?code={code}&_sort=-date"));
    }
}
