using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Tests.Engine;
using AllianceFhir.Core.Tests.Resources;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Core.Tests.Search;

/// <summary>The search rules of <see cref="SearchService"/>: paging links, what was applied, lenient and strict handling.</summary>
public sealed class SearchServiceTests : IDisposable
{
    private readonly EngineHost _host = new();

    [Fact]
    public async Task Pages_follow_next_links_to_every_match_once_and_previous_leads_back()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CreateAsync(ResourceServiceTests.Patient("s-1", $"P{i}")));
        }

        await CreateAsync(ResourceServiceTests.Patient("other", "Elsewhere"));

        var first = await SearchAsync("Patient", [new("identifier", "s-1"), new("_count", "2")]);
        var second = await FollowAsync(first, "next");
        var third = await FollowAsync(second, "next");

        Assert.Equal(ids, new[] { first, second, third }.SelectMany(MatchIds));
        Assert.Null(Link(third, "next"));
        Assert.Null(Link(first, "previous"));
        Assert.Equal(MatchIds(first), MatchIds(await FollowAsync(second, "previous")));
        Assert.Equal($"{EngineHost.BaseUrl}/Patient?identifier=s-1&_count=2", Link(first, "self"));
        Assert.Equal(Link(first, "self"), Link(second, "first"));
    }

    [Fact]
    public async Task An_unsupported_parameter_is_reported_and_left_out_of_the_links_or_refused_when_strict()
    {
        var id = await CreateAsync(ResourceServiceTests.Patient("s-2", "Only"));
        List<KeyValuePair<string, string>> parameters = [new("identifier", "s-2"), new("shoe-size", "42")];

        var lenient = await SearchAsync("Patient", parameters);
        var strict = await Assert.ThrowsAsync<FhirOperationException>(() => SearchAsync("Patient", parameters, strict: true));

        Assert.Equal([id], MatchIds(lenient));
        var outcome = Assert.IsType<OperationOutcome>(lenient.Bundle.Entry.Single(e => e.Search!.Mode == Bundle.SearchEntryMode.Outcome).Resource);
        Assert.Contains("shoe-size=42", outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal($"{EngineHost.BaseUrl}/Patient?identifier=s-2", Link(lenient, "self"));
        Assert.Equal(HttpStatusCode.BadRequest, strict.Status);
    }

    [Fact]
    public async Task A_whole_system_search_applies_the_common_parameters_across_the_types_it_names()
    {
        var patient = await CreateAsync(ResourceServiceTests.Patient("s-3", "Typed"));
        using var scope = _host.Scope();
        var search = scope.ServiceProvider.GetRequiredService<SearchService>();

        var searchset = await search.SearchSystemAsync([new("_type", "Patient,Observation"), new("_id", patient), new("family", "Typed")], EngineHost.Call, CancellationToken.None);

        Assert.Equal([patient], MatchIds(searchset));
        Assert.Contains(searchset.Bundle.Entry, e => e.Search!.Mode == Bundle.SearchEntryMode.Outcome);
        Assert.Equal($"{EngineHost.BaseUrl}?_type=Patient%2CObservation&_id={patient}", Link(searchset, "self"));
    }

    [Fact]
    public async Task A_summary_count_returns_the_total_and_no_entries()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(ResourceServiceTests.Patient("s-4", $"C{i}"));
        }

        var searchset = await SearchAsync("Patient", [new("identifier", "s-4"), new("_summary", "count")]);

        Assert.Equal(3, searchset.Bundle.Total);
        Assert.Empty(searchset.Bundle.Entry);
    }

    public void Dispose() => _host.Dispose();

    private async Task<Searchset> SearchAsync(string type, List<KeyValuePair<string, string>> parameters, bool strict = false)
    {
        using var scope = _host.Scope();
        return await scope.ServiceProvider.GetRequiredService<SearchService>()
            .SearchTypeAsync(type, parameters, EngineHost.Call with { Strict = strict }, CancellationToken.None);
    }

    /// <summary>Follows a link as a client would: its query string is the next search.</summary>
    private Task<Searchset> FollowAsync(Searchset from, string relation)
    {
        var url = new Uri(Link(from, relation)!);
        var parameters = AllianceFhir.Core.Resources.QueryParameters.Parse(url.Query).ToList();
        return SearchAsync(url.AbsolutePath.Split('/')[^1], parameters);
    }

    private async Task<string> CreateAsync(Resource resource)
    {
        using var scope = _host.Scope();
        return (await EngineHost.Resources(scope).CreateAsync(resource, null, CancellationToken.None)).Version.Id;
    }

    private static string? Link(Searchset searchset, string relation) => searchset.Bundle.Link.SingleOrDefault(l => l.Relation == relation)?.Url;

    private static List<string> MatchIds(Searchset searchset) =>
        [.. searchset.Bundle.Entry.Where(e => e.Search!.Mode == Bundle.SearchEntryMode.Match).Select(e => e.FullUrl!.Split('/')[^1])];
}
