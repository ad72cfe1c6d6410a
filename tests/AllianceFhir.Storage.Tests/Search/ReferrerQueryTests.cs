using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Xunit.Abstractions;

namespace AllianceFhir.Storage.Tests.Search;

/// <summary>"Who refers to this resource?" before a delete: every live referrer, found through the reference index.</summary>
public sealed class ReferrerQueryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SqliteStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteStore.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Live_referrers_are_found_on_search_parameter_paths_and_elsewhere_deleted_ones_are_not()
    {
        var patient = await _store.AddAsync(new Patient());
        var other = await _store.AddAsync(new Patient());
        var response = await _store.AddAsync(new QuestionnaireResponse { Subject = new ResourceReference($"Patient/{patient}") });
        var byExtension = await _store.AddAsync(new Practitioner
        {
            Extension = [new Extension("http://example.org/usual-client", new ResourceReference($"Patient/{patient}/_history/1"))],
        });
        await _store.AddAsync(new Observation { Subject = new ResourceReference($"Patient/{other}") });
        var deleted = await _store.AddAsync(new Observation { Subject = new ResourceReference($"Patient/{patient}") });
        await _store.Store.CommitAsync([new ResourceWrite("Observation", deleted, 2, DateTimeOffset.UtcNow, true, null, "DELETE", [])], CancellationToken.None);

        _store.Recorder.Clear();
        var referrers = await _store.Store.FindReferrersAsync("Patient", patient, 10, CancellationToken.None);

        Assert.Equal(
            [new ResourceKey("Practitioner", byExtension), new ResourceKey("QuestionnaireResponse", response)],
            referrers.OrderBy(r => r.ResourceType, StringComparer.Ordinal));

        // The lookup seeks the reference index; a table scan would make every delete as slow as the database is big.
        var command = Assert.Single(_store.Recorder.Commands);
        var plan = await _store.ExplainAsync(command);
        output.WriteLine(command.Text);
        output.WriteLine(string.Join(Environment.NewLine, plan));
        // Scanning a co-routine (the DISTINCT rows the ordered listing reads back) reads only what the seek found.
        var coroutines = plan.Where(l => l.StartsWith("CO-ROUTINE ", StringComparison.Ordinal)).Select(l => "SCAN " + l["CO-ROUTINE ".Length..].Trim()).ToHashSet();
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN ", StringComparison.Ordinal) && !line.Contains("CONSTANT ROW", StringComparison.Ordinal)
            && !coroutines.Contains(line.Trim()));
        Assert.Contains(plan, line => line.Contains("IX_ReferenceIndex_Lookup", StringComparison.Ordinal));
        Assert.Single(await _store.Store.FindReferrersAsync("Patient", patient, 1, CancellationToken.None));
    }
}
