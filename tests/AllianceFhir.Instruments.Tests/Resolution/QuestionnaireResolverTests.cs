using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Instruments.Resolution;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Instruments.Tests.Resolution;

public class QuestionnaireResolverTests
{
    private const string Url = "http://alliancefhir.org/fhir/Questionnaire/srs";
    private readonly InMemoryReader _store = new(
        Version("srs-1", "1.0.0", PublicationStatus.Active),
        Version("srs-1-10", "1.10.0", PublicationStatus.Active),
        Version("srs-1-9", "1.9.0", PublicationStatus.Active),
        Version("srs-2", "2.0.0", PublicationStatus.Draft));

    [Fact]
    public async Task Url_with_version_finds_exactly_that_version()
    {
        var found = await QuestionnaireResolver.ResolveAsync($"{Url}|1.9.0", _store, CancellationToken.None);
        Assert.Equal("srs-1-9", found.Id);
    }

    [Fact]
    public async Task Url_with_version_finds_a_draft_version_too()
    {
        var found = await QuestionnaireResolver.ResolveAsync($"{Url}|2.0.0", _store, CancellationToken.None);
        Assert.Equal("srs-2", found.Id);
    }

    [Fact]
    public async Task Url_alone_finds_the_newest_active_version_numerically()
    {
        var found = await QuestionnaireResolver.ResolveAsync(Url, _store, CancellationToken.None);
        Assert.Equal("srs-1-10", found.Id);
    }

    [Fact]
    public async Task Relative_reference_reads_by_id()
    {
        var found = await QuestionnaireResolver.ResolveAsync("Questionnaire/srs-1", _store, CancellationToken.None);
        Assert.Equal("1.0.0", found.Version);
    }

    [Theory]
    [InlineData(Url + "|3.0.0")]
    [InlineData("http://example.org/Questionnaire/unknown")]
    [InlineData("Questionnaire/nope")]
    public async Task Unknown_questionnaire_is_422(string reference)
    {
        var ex = await Assert.ThrowsAsync<FhirOperationException>(() => QuestionnaireResolver.ResolveAsync(reference, _store, CancellationToken.None));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, ex.Status);
        Assert.Equal(["QuestionnaireResponse.questionnaire"], ex.Outcome.Issue.Single().Expression);
    }

    [Fact]
    public async Task Searches_use_the_url_version_and_status_parameters()
    {
        await QuestionnaireResolver.ResolveAsync($"{Url}|1.0.0", _store, CancellationToken.None);
        await QuestionnaireResolver.ResolveAsync(Url, _store, CancellationToken.None);

        Assert.Equal(["url", "version"], _store.Searches[0].Parameters.Select(p => p.Key));
        Assert.Equal(["url", "status"], _store.Searches[1].Parameters.Select(p => p.Key));
    }

    [Fact]
    public async Task A_pinned_reference_is_searched_once_and_again_when_its_Questionnaire_changes()
    {
        var pins = new QuestionnairePins();
        Assert.Equal("srs-1-9", (await QuestionnaireResolver.ResolveAsync($"{Url}|1.9.0", _store, CancellationToken.None, pins)).Id);
        Assert.Equal("srs-1-9", (await QuestionnaireResolver.ResolveAsync($"{Url}|1.9.0", _store, CancellationToken.None, pins)).Id);
        Assert.Single(_store.Searches);

        // The pinned resource now carries another version; 1.9.0 lives elsewhere.
        _store.Put(Version("srs-1-9", "1.9.1", PublicationStatus.Active));
        _store.Put(Version("srs-1-9-again", "1.9.0", PublicationStatus.Active));
        Assert.Equal("srs-1-9-again", (await QuestionnaireResolver.ResolveAsync($"{Url}|1.9.0", _store, CancellationToken.None, pins)).Id);
        Assert.Equal(2, _store.Searches.Count);
    }

    [Theory]
    [InlineData("1.10.0", "1.9.0", 1)]
    [InlineData("1.0.0", "1.0.0", 0)]
    [InlineData("1.0", "1.0.1", -1)]
    [InlineData("2.0.0-beta", "1.9.9", 1)]
    public void Versions_compare_numerically_by_part(string x, string y, int sign) =>
        Assert.Equal(sign, Math.Sign(VersionComparer.Instance.Compare(x, y)));

    private static Questionnaire Version(string id, string version, PublicationStatus status) =>
        new() { Id = id, Url = Url, Version = version, Status = status };
}
