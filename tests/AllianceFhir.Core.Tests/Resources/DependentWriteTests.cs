using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Tests.Engine;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Tests.Resources;

/// <summary>What a write hook derives: new resources with ids the hook issued, and updates of stored ones.</summary>
public sealed class DependentWriteTests : IDisposable
{
    private readonly EngineHost _host = new(services => services.AddSingleton<IResourceWriteHook, DerivingHook>());

    [Fact]
    public async Task A_resource_with_a_hook_issued_id_is_created_as_version_1_without_asking_the_store_for_that_id()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);

        var written = await service.CreateAsync(Source(), null, CancellationToken.None);

        var derived = _host.Store.AllVersions.Where(v => v.ResourceType == "Flag").ToList();
        var issued = Assert.Single(derived);
        Assert.Equal(DerivingHook.IssuedIdOf(written.Version.Id), issued.Id);
        Assert.Equal(1, issued.VersionId);
        Assert.DoesNotContain($"Flag/{issued.Id}", _host.Store.CurrentReads);
        Assert.Equal(1, (await service.ReadAsync("Flag", issued.Id, CancellationToken.None)).VersionId);
    }

    [Fact]
    public async Task A_hook_naming_a_stored_id_writes_its_next_version()
    {
        using var scope = _host.Scope();
        var service = EngineHost.Resources(scope);
        var first = await service.CreateAsync(Source(), null, CancellationToken.None);

        // The second source names the first one's derived resource as its own "update" target.
        var second = Source();
        second.Identifier.Add(new Identifier("http://example.org/update", DerivingHook.IssuedIdOf(first.Version.Id)));
        await service.CreateAsync(second, null, CancellationToken.None);

        var versions = _host.Store.AllVersions.Where(v => v.Id == DerivingHook.IssuedIdOf(first.Version.Id)).Select(v => v.VersionId);
        Assert.Equal([1, 2], versions);
    }

    public void Dispose() => _host.Dispose();

    private static Observation Source() => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://example.org/codes", "source"),
    };

    /// <summary>Derives one Flag per source Observation: a new one under an id it issues, or an update of the one the source's identifier names.</summary>
    private sealed class DerivingHook : IResourceWriteHook
    {
        public string ResourceType => "Observation";

        public static string IssuedIdOf(string sourceId) => $"derived-{sourceId}";

        public Task OnWriteAsync(ResourceWriteContext context, CancellationToken cancellationToken)
        {
            if (context.Resource is not Observation { Code.Coding: [{ Code: "source" }] } source)
            {
                return Task.CompletedTask;
            }

            var derived = new Flag { Status = Flag.FlagStatus.Active, Code = new CodeableConcept("http://example.org/codes", "derived") };
            if (source.Identifier.FirstOrDefault(i => i.System == "http://example.org/update")?.Value is { } target)
            {
                derived.Id = target;
                context.AddDependentWrite(derived);
            }
            else
            {
                derived.Id = IssuedIdOf(context.Id);
                context.AddDependentCreate(derived);
            }

            return Task.CompletedTask;
        }
    }
}
