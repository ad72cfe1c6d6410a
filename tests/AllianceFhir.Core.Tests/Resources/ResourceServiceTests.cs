using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Tests.Engine;
using AllianceFhir.Core.Versioning;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Tests.Resources;

/// <summary>The write rules of <see cref="ResourceService"/>: versions, preconditions and conditional outcomes.</summary>
public sealed class ResourceServiceTests : IDisposable
{
    private const string MrnSystem = "http://clinic.example.org/mrn";
    private readonly EngineHost _host = new();

    [Fact]
    public async Task Each_write_makes_the_next_version_and_earlier_versions_stay_readable()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);

        var created = await service.CreateAsync(Patient("c-1", "First"), null, CancellationToken.None);
        var id = created.Version.Id;
        var updated = await service.UpdateAsync("Patient", id, Patient("c-1", "Second", id), ifMatch: IfMatch.Of(1), ifNoneMatch: null, CancellationToken.None);

        Assert.True(created.Created);
        Assert.Equal(1, created.Version.VersionId);
        Assert.False(updated.Created);
        Assert.Equal(2, updated.Version.VersionId);
        Assert.Equal("2", updated.Resource!.Meta!.VersionId);
        Assert.Equal("First", Family(await service.VReadAsync("Patient", id, 1, CancellationToken.None)));
        Assert.Equal("Second", Family(await service.ReadAsync("Patient", id, CancellationToken.None)));
    }

    [Fact]
    public async Task A_stale_if_match_is_refused_with_412_and_stores_nothing()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);
        var id = (await service.CreateAsync(Patient("c-2", "First"), null, CancellationToken.None)).Version.Id;
        await service.UpdateAsync("Patient", id, Patient("c-2", "Second", id), ifMatch: null, ifNoneMatch: null, CancellationToken.None);
        var before = _host.Store.AllVersions.Count;

        var refused = await Assert.ThrowsAsync<FhirOperationException>(
            () => service.UpdateAsync("Patient", id, Patient("c-2", "Stale", id), ifMatch: IfMatch.Of(1), ifNoneMatch: null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.Status);
        Assert.Contains("If-Match W/\"1\"", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, _host.Store.AllVersions.Count);
        Assert.Equal("Second", Family(await service.ReadAsync("Patient", id, CancellationToken.None)));
    }

    [Fact]
    public async Task A_delete_makes_reads_gone_while_history_keeps_every_version()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);
        var id = (await service.CreateAsync(Patient("c-3", "First"), null, CancellationToken.None)).Version.Id;

        var deleted = await service.DeleteAsync("Patient", id, ifMatch: IfMatch.Of(1), CancellationToken.None);
        var again = await service.DeleteAsync("Patient", id, ifMatch: null, CancellationToken.None);

        Assert.Equal(2, deleted!.VersionId);
        Assert.True(again!.IsDeleted);
        Assert.Equal(2, again.VersionId);
        await Assert.ThrowsAsync<ResourceGoneException>(() => service.ReadAsync("Patient", id, CancellationToken.None));
        Assert.Equal([2, 1], (await service.HistoryAsync(new("Patient", id, null, 10), CancellationToken.None)).Select(v => v.VersionId));
    }

    [Fact]
    public async Task Conditional_create_creates_on_no_match_answers_with_the_one_match_and_refuses_several()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);
        var condition = $"identifier={MrnSystem}|c-4";

        var first = await service.CreateAsync(Patient("c-4", "First"), condition, CancellationToken.None);
        var second = await service.CreateAsync(Patient("c-4", "Second"), condition, CancellationToken.None);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Version.Id, second.Version.Id);
        Assert.Single(_host.Store.AllVersions, v => v.ResourceType == "Patient" && v.Id == first.Version.Id);

        await service.CreateAsync(Patient("c-4", "Twin"), null, CancellationToken.None);
        var count = _host.Store.AllVersions.Count;
        var refused = await Assert.ThrowsAsync<FhirOperationException>(
            () => service.CreateAsync(Patient("c-4", "Third"), condition, CancellationToken.None));
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.Status);
        Assert.Equal(count, _host.Store.AllVersions.Count);
    }

    [Fact]
    public async Task A_condition_with_a_parameter_the_server_cannot_apply_is_a_400_not_a_wider_match()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);

        var refused = await Assert.ThrowsAsync<FhirOperationException>(
            () => service.CreateAsync(Patient("c-5", "First"), "shoe-size=42", CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Empty(_host.Store.AllVersions);
    }

    [Fact]
    public async Task Conditional_update_creates_on_no_match_updates_the_one_match_and_refuses_several()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);
        var query = $"identifier={MrnSystem}|c-6";

        var created = await service.ConditionalUpdateAsync("Patient", query, Patient("c-6", "First"), CancellationToken.None);
        var updated = await service.ConditionalUpdateAsync("Patient", query, Patient("c-6", "Second"), CancellationToken.None);

        Assert.True(created.Created);
        Assert.False(updated.Created);
        Assert.Equal(created.Version.Id, updated.Version.Id);
        Assert.Equal(2, updated.Version.VersionId);

        await service.CreateAsync(Patient("c-6", "Twin"), null, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<FhirOperationException>(
            () => service.ConditionalUpdateAsync("Patient", query, Patient("c-6", "Third"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.Status);
        Assert.Equal("Second", Family(await service.ReadAsync("Patient", created.Version.Id, CancellationToken.None)));
    }

    [Fact]
    public async Task A_conditional_create_that_loses_its_claim_to_a_concurrent_writer_answers_with_the_winner()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);
        var condition = $"identifier={MrnSystem}|c-7";
        string? winner = null;
        _host.Store.BeforeCommit = writes =>
        {
            if (winner is null && writes[0].Claim is not null)
            {
                // Another request, which also found no match, commits first under the same condition.
                _host.Store.BeforeCommit = null;
                using var other = _host.Scope();
                winner = EngineHost.Resources(other).CreateAsync(Patient("c-7", "Winner"), condition, CancellationToken.None).GetAwaiter().GetResult().Version.Id;
            }
        };

        var result = await service.CreateAsync(Patient("c-7", "Loser"), condition, CancellationToken.None);

        Assert.False(result.Created);
        Assert.Equal(winner, result.Version.Id);
        Assert.Single(_host.Store.AllVersions);
    }

    public void Dispose() => _host.Dispose();

    internal static Patient Patient(string mrn, string family, string? id = null) => new()
    {
        Id = id,
        Identifier = [new Identifier(MrnSystem, mrn)],
        Name = [new HumanName { Family = family }],
    };

    private static string? Family(Core.Storage.ResourceVersion version) => ((Patient)version.ToResource()!).Name[0].Family;
}
