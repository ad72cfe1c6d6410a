using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Search;

/// <summary>Creates resources and runs searches over HTTP, returning what a client would look at.</summary>
public sealed class SearchClient(HttpClient http)
{
    public HttpClient Http => http;

    /// <summary>A value unique to one test, so tests sharing a database never see each other's data.</summary>
    public static string Unique(string prefix = "t") => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 12)];

    public async Task<T> CreateAsync<T>(T resource)
        where T : Resource
    {
        if (resource is QuestionnaireResponse { Questionnaire: { } canonical })
        {
            await EnsureQuestionnaireAsync(canonical);
        }

        await EnsureSubjectAsync(resource);

        using var response = await http.PostAsync($"/fhir/{resource.TypeName}", resource);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsAsync<T>();
    }

    /// <summary>
    /// Responses are checked against their Questionnaire on write, so the one a test response names must exist:
    /// a minimal active Questionnaire with that url and version, created once.
    /// </summary>
    private async Task EnsureQuestionnaireAsync(string canonical)
    {
        var parts = canonical.Split('|');
        var questionnaire = new Questionnaire
        {
            Url = parts[0],
            Version = parts.Length > 1 ? parts[1] : null,
            Status = PublicationStatus.Active,
            Item = [new Questionnaire.ItemComponent { LinkId = "note", Text = "Anything to add?", Type = Questionnaire.QuestionnaireItemType.String }],
        };
        var condition = $"url={Uri.EscapeDataString(parts[0])}" + (parts.Length > 1 ? $"&version={Uri.EscapeDataString(parts[1])}" : string.Empty);
        if (MatchIds(await SearchAsync($"/fhir/Questionnaire?{condition}")).Count > 0)
        {
            return; // an unversioned canonical resolves to the newest version, which an earlier response created
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/Questionnaire") { Content = FhirHttp.JsonBody(questionnaire) };
        request.Headers.TryAddWithoutValidation("If-None-Exist", condition);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"creating Questionnaire {canonical}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// References are checked on write too, so the patient a test resource is about must exist, as it would in an EHR:
    /// a bare Patient with that id (no name or identifier, so searches for patients never see it), created once.
    /// </summary>
    private async Task EnsureSubjectAsync(Resource resource)
    {
        const string prefix = "Patient/";
        var subject = resource switch
        {
            Observation o => o.Subject?.Reference,
            QuestionnaireResponse r => r.Subject?.Reference,
            _ => null,
        };
        if (subject is null || !subject.StartsWith(prefix, StringComparison.Ordinal) || subject.Length == prefix.Length)
        {
            return;
        }

        var id = subject[prefix.Length..];
        using var read = await http.GetAsync($"/fhir/Patient/{id}");
        if (read.StatusCode == HttpStatusCode.NotFound)
        {
            using var created = await http.PutAsync($"/fhir/Patient/{id}", new Patient { Id = id });
            Assert.True(created.IsSuccessStatusCode, $"creating Patient/{id}: {(int)created.StatusCode}");
        }
    }

    public async Task<Bundle> SearchAsync(string url, string? prefer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} → {(int)response.StatusCode}: {body}");
        return await response.ReadAsAsync<Bundle>();
    }

    public async Task<HttpResponseMessage> GetAsync(string url, string? prefer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (prefer is not null)
        {
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        }

        return await http.SendAsync(request);
    }

    /// <summary>The ids of the match entries, in bundle order.</summary>
    public static List<string?> MatchIds(Bundle bundle) =>
        [.. bundle.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => e.Resource!.Id)];

    public async Task<List<string?>> IdsAsync(string url) => MatchIds(await SearchAsync(url));

    public static string? Link(Bundle bundle, string relation) => bundle.Link.FirstOrDefault(l => l.Relation == relation)?.Url;
}
