using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

public sealed class HistoryTests : IDisposable
{
    private readonly FhirApplication _app = new();
    private readonly HttpClient _client;

    public HistoryTests() => _client = _app.CreateClient();

    [Fact]
    public async Task Type_history_pages_newest_first_without_gaps_or_repeats()
    {
        var written = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            using var response = await _client.PostAsync("/fhir/Practitioner", new Practitioner { Name = [new HumanName { Family = $"P{i}" }] });
            written.Add((await response.ReadAsAsync<Practitioner>()).Id!);
        }

        var seen = new List<string>();
        var url = "/fhir/Practitioner/_history?_count=3";
        var pages = 0;
        while (url is not null)
        {
            var bundle = await (await _client.GetAsync(url)).ReadAsAsync<Bundle>();
            Assert.Equal(Bundle.BundleType.History, bundle.Type);
            seen.AddRange(bundle.Entry.Select(e => e.Resource!.Id!));
            Assert.All(bundle.Entry, e => Assert.Equal("201 Created", e.Response?.Status));
            url = bundle.Link.FirstOrDefault(l => l.Relation == "next")?.Url;
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(written), seen);
    }

    [Fact]
    public async Task System_history_includes_every_type_and_since_filters_by_time()
    {
        using var patient = await _client.PostAsync("/fhir/Patient", Patients.WithMrn("h-1"));
        var createdAt = patient.Content.Headers.LastModified!.Value;
        await Task.Delay(1100);
        var cutoff = DateTimeOffset.UtcNow;
        using var org = await _client.PostAsync("/fhir/Organization", new Organization { Name = "Clinic" });

        var all = await (await _client.GetAsync("/fhir/_history")).ReadAsAsync<Bundle>();
        var since = await (await _client.GetAsync($"/fhir/_history?_since={Uri.EscapeDataString(cutoff.ToString("o"))}")).ReadAsAsync<Bundle>();

        Assert.Contains(all.Entry, e => e.Resource is Patient);
        Assert.Contains(all.Entry, e => e.Resource is Organization);

        // AuditEvents are kept in their own table (a virtual type): system history lists the data's changes only.
        var only = Assert.Single(since.Entry);
        Assert.IsType<Organization>(only.Resource);
        Assert.True(createdAt < cutoff);
    }

    [Fact]
    public async Task Instance_history_of_an_unknown_resource_is_404()
    {
        using var response = await _client.GetAsync("/fhir/Patient/nobody/_history");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Bad_since_is_400()
    {
        using var response = await _client.GetAsync("/fhir/_history?_since=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    public void Dispose() => _app.Dispose();
}
