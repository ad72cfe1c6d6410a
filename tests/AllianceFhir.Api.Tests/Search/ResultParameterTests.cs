using System.Net;
using System.Net.Http.Headers;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

public sealed class ResultParameterTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    private const string Subsetted = "SUBSETTED";

    private readonly SearchClient _client = new(app.CreateClient());

    private async Task<string> SeedAsync(int count)
    {
        var code = SearchClient.Unique("c");
        for (var i = 0; i < count; i++)
        {
            await _client.CreateAsync(SearchData.Observation("p", SearchData.Loinc, code, "2026-01-01", 3m));
        }

        return code;
    }

    /// <summary>Fuzz finding: a refused search with _elements answered 400 with an outcome trimmed to no issue at all.</summary>
    [Theory]
    [InlineData("/fhir/Patient?birthdate=not-a-date&_elements=gender", "application/fhir+json")]
    [InlineData("/fhir/Patient?birthdate=not-a-date&_elements=gender", "application/fhir+xml")]
    [InlineData("/fhir/Patient?birthdate=not-a-date&_summary=count", "application/fhir+json")]
    [InlineData("/fhir/Patient/no-such-patient?_summary=true&_elements=id", "application/fhir+xml")]
    public async Task Summary_and_elements_never_trim_an_OperationOutcome(string url, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));

        using var response = await _client.Http.SendAsync(request);

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{(int)response.StatusCode}");
        var outcome = await response.ReadAsAsync<OperationOutcome>();
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal(OperationOutcome.IssueSeverity.Error, issue.Severity);
        Assert.False(string.IsNullOrEmpty(issue.Diagnostics));
        Assert.DoesNotContain(outcome.Meta?.Tag ?? [], t => t.Code == Subsetted);
    }

    [Fact]
    public async Task Summary_count_returns_only_the_total()
    {
        var code = await SeedAsync(3);

        var bundle = await _client.SearchAsync($"/fhir/Observation?code={code}&_summary=count");

        Assert.Equal(3, bundle.Total);
        Assert.Empty(bundle.Entry);
    }

    [Fact]
    public async Task Summary_true_trims_entries_and_marks_them_subsetted()
    {
        var code = await SeedAsync(1);

        var bundle = await _client.SearchAsync($"/fhir/Observation?code={code}&_summary=true");
        var observation = Assert.IsType<Observation>(Assert.Single(bundle.Entry).Resource);
        Assert.NotNull(observation.Meta);

        Assert.Contains(observation.Meta.Tag, t => t.Code == Subsetted);
        Assert.NotNull(observation.Code);
        Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
    }

    [Fact]
    public async Task Summary_data_drops_the_narrative_and_false_keeps_everything()
    {
        var code = SearchClient.Unique("c");
        var observation = SearchData.Observation("p", SearchData.Loinc, code, "2026-01-01");
        observation.Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = "<div xmlns=\"http://www.w3.org/1999/xhtml\">text</div>" };
        await _client.CreateAsync(observation);

        var data = Assert.IsType<Observation>(Assert.Single((await _client.SearchAsync($"/fhir/Observation?code={code}&_summary=data")).Entry).Resource);
        var full = Assert.IsType<Observation>(Assert.Single((await _client.SearchAsync($"/fhir/Observation?code={code}&_summary=false")).Entry).Resource);

        Assert.Null(data.Text);
        Assert.NotNull(full.Text);
        Assert.DoesNotContain(full.Meta!.Tag, t => t.Code == Subsetted);
    }

    [Fact]
    public async Task Elements_keeps_the_named_elements_and_marks_subsetted()
    {
        var code = await SeedAsync(1);

        var bundle = await _client.SearchAsync($"/fhir/Observation?code={code}&_elements=code");
        var observation = Assert.IsType<Observation>(Assert.Single(bundle.Entry).Resource);
        Assert.NotNull(observation.Meta);

        Assert.NotNull(observation.Code);
        Assert.Null(observation.Value);
        Assert.Null(observation.Subject);
        Assert.Contains(observation.Meta.Tag, t => t.Code == Subsetted);
    }

    [Fact]
    public async Task Total_accurate_counts_beyond_the_page_and_none_leaves_it_out()
    {
        var code = await SeedAsync(4);

        Assert.Equal(4, (await _client.SearchAsync($"/fhir/Observation?code={code}&_count=2&_total=accurate")).Total);
        Assert.Equal(4, (await _client.SearchAsync($"/fhir/Observation?code={code}&_count=2&_total=estimate")).Total);
        Assert.Null((await _client.SearchAsync($"/fhir/Observation?code={code}&_total=none")).Total);
    }

    [Fact]
    public async Task Post_search_with_a_form_body_gives_the_same_result_as_get()
    {
        var code = await SeedAsync(3);

        var get = await _client.SearchAsync($"/fhir/Observation?code={code}&_count=2");
        using var form = new FormUrlEncodedContent([new("code", code), new("_count", "2")]);
        using var post = await _client.Http.PostAsync("/fhir/Observation/_search", form);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var posted = await post.ReadAsAsync<Bundle>();

        Assert.Equal(SearchClient.MatchIds(get), SearchClient.MatchIds(posted));
        Assert.Equal(SearchClient.Link(get, "self"), SearchClient.Link(posted, "self"));
        Assert.Equal(
            SearchClient.MatchIds(await _client.SearchAsync(SearchClient.Link(get, "next")!)),
            SearchClient.MatchIds(await _client.SearchAsync(SearchClient.Link(posted, "next")!)));
    }

    /// <summary>
    /// R4 search.html: a search by POST carries its parameters form-encoded. A body of another type was dropped unread and
    /// the search ran without the parameters the client meant (here: every Observation instead of none).
    /// </summary>
    [Fact]
    public async Task Post_search_with_a_body_that_is_not_a_form_is_415_and_an_empty_body_searches_the_url()
    {
        var code = await SeedAsync(1);
        using var json = new StringContent($"{{\"code\":\"{code}-none\"}}", System.Text.Encoding.UTF8, "application/json");

        using var refused = await _client.Http.PostAsync("/fhir/Observation/_search", json);
        using var empty = await _client.Http.PostAsync($"/fhir/Observation/_search?code={code}", null);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        var issue = Assert.Single((await refused.ReadAsAsync<OperationOutcome>()).Issue);
        Assert.Contains("application/x-www-form-urlencoded", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Single(SearchClient.MatchIds(await empty.ReadAsAsync<Bundle>()));
    }

    /// <summary>R4 search.html: the self link says the search as performed; a _count above the maximum pages by the maximum.</summary>
    [Fact]
    public async Task A_count_above_the_maximum_is_linked_as_the_page_size_used()
    {
        var code = await SeedAsync(1);

        var bundle = await _client.SearchAsync($"/fhir/Observation?code={code}&_count=5000");

        var self = SearchClient.Link(bundle, "self");
        Assert.Contains("_count=1000", self, StringComparison.Ordinal);
        Assert.DoesNotContain("5000", self, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compact_and_pretty_json_carry_the_same_entries()
    {
        var code = await SeedAsync(2);

        // Compact JSON splices the stored resources into the Bundle; pretty JSON parses and re-serializes them.
        var compact = await _client.SearchAsync($"/fhir/Observation?code={code}&_include=Observation:subject");
        var pretty = await _client.SearchAsync($"/fhir/Observation?code={code}&_include=Observation:subject&_pretty=true");

        // Two matches and their (one, stored) subject, included.
        var matches = compact.Entry.Where(e => e.Search!.Mode == Bundle.SearchEntryMode.Match).ToList();
        Assert.Equal(2, matches.Count);
        Assert.All(matches, e => Assert.Equal(SearchData.Loinc, ((Observation)e.Resource!).Code.Coding[0].System));
        Assert.IsType<Patient>(Assert.Single(compact.Entry, e => e.Search!.Mode == Bundle.SearchEntryMode.Include).Resource);
        Assert.Equal(
            compact.Entry.Select(e => (e.FullUrl, e.Resource!.Id, e.Resource.Meta!.VersionId, e.Search!.Mode)),
            pretty.Entry.Select(e => (e.FullUrl, e.Resource!.Id, e.Resource.Meta!.VersionId, e.Search!.Mode)));
    }

    [Fact]
    public async Task Search_bundles_come_back_as_xml_too()
    {
        var code = await SeedAsync(1);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/Observation?code={code}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirHttp.Xml));

        using var response = await _client.Http.SendAsync(request);
        var bundle = await response.ReadAsAsync<Bundle>();

        Assert.Single(SearchClient.MatchIds(bundle));
    }
}
