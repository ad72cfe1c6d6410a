using System.Net;
using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Tests.Engine;
using AllianceFhir.Core.Tests.Resources;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Core.Tests.Bundles;

/// <summary>The Bundle rules of <see cref="BundleService"/>: a transaction is all or nothing, batch entries stand alone.</summary>
public sealed class BundleServiceTests : IDisposable
{
    private readonly EngineHost _host = new();

    [Fact]
    public async Task A_transaction_commits_once_with_references_to_fullUrls_rewritten_to_the_new_ids()
    {
        var bundle = Transaction(
            Post("urn:uuid:patient", ResourceServiceTests.Patient("b-1", "Linked")),
            Post("urn:uuid:observation", Observation("urn:uuid:patient")));

        var response = await ProcessAsync(bundle);

        Assert.Equal(["201 Created", "201 Created"], response.Entry.Select(e => e.Response!.Status));
        Assert.Equal(1, _host.Store.Commits);
        var observation = (Observation)response.Entry[1].Resource!;
        Assert.Equal($"Patient/{response.Entry[0].Resource!.Id}", observation.Subject!.Reference);
    }

    [Fact]
    public async Task A_transaction_with_one_failing_entry_stores_none_of_its_entries()
    {
        var existing = await CreateAsync(ResourceServiceTests.Patient("b-2", "Existing"));
        var stale = ResourceServiceTests.Patient("b-2", "Stale", existing);
        var bundle = Transaction(
            Post("urn:uuid:new", ResourceServiceTests.Patient("b-2-new", "New")),
            new Bundle.EntryComponent
            {
                Resource = stale,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Patient/{existing}", IfMatch = "W/\"7\"" },
            });
        var before = _host.Store.AllVersions.Count;

        var refused = await Assert.ThrowsAsync<FhirOperationException>(() => ProcessAsync(bundle));

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.Status);
        Assert.Contains("Bundle.entry[1]", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, _host.Store.AllVersions.Count);
    }

    [Fact]
    public async Task Batch_entries_stand_alone_one_failure_does_not_undo_the_others()
    {
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Batch,
            Entry =
            [
                Post(null, ResourceServiceTests.Patient("b-3", "Kept")),
                new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = "Patient/unknown" } },
                Post(null, Observation("Patient/does-not-exist")),
                Post(null, ResourceServiceTests.Patient("b-3b", "Also kept")),
            ],
        };

        var response = await ProcessAsync(bundle);

        Assert.Equal(["201 Created", "404 Not Found", "422 Unprocessable Entity", "201 Created"], response.Entry.Select(e => e.Response!.Status));
        Assert.Equal(2, _host.Store.Commits);
        Assert.Equal(["Kept", "Also kept"], _host.Store.AllVersions.Select(v => ((Patient)v.ToResource()!).Name[0].Family));
    }

    [Fact]
    public async Task A_batch_search_entry_pages_as_a_search_does()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(ResourceServiceTests.Patient("b-4", $"Page{i}"));
        }

        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Batch,
            Entry = [new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = "Patient?identifier=b-4&_count=2" } }],
        };

        var searchset = (Bundle)(await ProcessAsync(bundle)).Entry[0].Resource!;

        Assert.Equal(2, searchset.Entry.Count);
        Assert.StartsWith($"{EngineHost.BaseUrl}/Patient?identifier=b-4&_count=2&_cursor=", searchset.Link.Single(l => l.Relation == "next").Url!, StringComparison.Ordinal);
    }

    public void Dispose() => _host.Dispose();

    private async Task<Bundle> ProcessAsync(Bundle bundle)
    {
        using var scope = _host.Scope();
        return await scope.ServiceProvider.GetRequiredService<BundleService>().ProcessAsync(bundle, EngineHost.BundleContext, CancellationToken.None);
    }

    private async Task<string> CreateAsync(Resource resource)
    {
        using var scope = _host.Scope();
        return (await EngineHost.Resources(scope).CreateAsync(resource, null, CancellationToken.None)).Version.Id;
    }

    private static Bundle Transaction(params Bundle.EntryComponent[] entries) => new() { Type = Bundle.BundleType.Transaction, Entry = [.. entries] };

    private static Bundle.EntryComponent Post(string? fullUrl, Resource resource) => new()
    {
        FullUrl = fullUrl,
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName },
    };

    private static Observation Observation(string subject) => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://loinc.org", "8867-4"),
        Subject = new ResourceReference(subject),
    };
}
