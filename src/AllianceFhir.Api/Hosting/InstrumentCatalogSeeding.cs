using AllianceFhir.Core;
using AllianceFhir.Core.Storage;
using AllianceFhir.Instruments.Catalog;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Hosting;

public static class InstrumentCatalogSeeding
{
    /// <summary>
    /// Stores the instrument catalog (Questionnaires and CodeSystems) under their fixed ids. Idempotent: a resource whose
    /// content is unchanged is left alone, so restarts add no versions; a changed one (a new text pack) becomes a new
    /// version. Resolving the catalog here also makes a bad text pack stop the start, naming the file. The catalog is
    /// stored once, in its own tenant, which every clinic tenant reads for the definitional types.
    /// </summary>
    public static async Task SeedInstrumentCatalogAsync(this WebApplication app)
    {
        var catalog = app.Services.GetRequiredService<InstrumentCatalog>();

        // A bad monitoring rules file stops the start here, naming the rule, rather than failing the first submission.
        _ = app.Services.GetRequiredService<AllianceFhir.Instruments.Monitoring.MonitoringRules>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InstrumentCatalogSeeding));
        await using var scope = app.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(Tenants.Catalog);
        var service = scope.ServiceProvider.ResourceServiceFor(store);
        var reader = scope.ServiceProvider.ResourceReaderFor(store);
        var stored = 0;
        foreach (var resource in catalog.GetAllResources())
        {
            var id = resource.Id ?? throw new InvalidOperationException($"A catalog {resource.TypeName} has no id");
            var current = await reader.ReadAsync(resource.TypeName, id, CancellationToken.None);
            if (current is not null && SameContent(current, resource))
            {
                continue;
            }

            await service.UpdateAsync(resource.TypeName, id, resource, ifMatch: null, ifNoneMatch: null, CancellationToken.None);
            stored++;
        }

        // A demonstration instrument seeded while Instruments:Demo was on is withdrawn once it is off: the catalog tenant
        // holds only what the seeding put there, so the stored copy under that id is the demo's.
        foreach (var id in catalog.Withheld)
        {
            if (await reader.ReadAsync("Questionnaire", id, CancellationToken.None) is not null)
            {
                await service.DeleteAsync("Questionnaire", id, ifMatch: null, CancellationToken.None);
                stored++;
            }
        }

        logger.LogInformation("Instrument catalog: {Stored} of {Total} resources stored, updated or withdrawn", stored, catalog.GetAllResources().Count);
    }

    private static bool SameContent(Resource stored, Resource catalogVersion)
    {
        var left = (Resource)stored.DeepCopy();
        var right = (Resource)catalogVersion.DeepCopy();
        left.Meta = null;
        right.Meta = null;
        return left.IsExactly(right);
    }
}
