using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Catalog;
using Hl7.Fhir.Model;
using static Hl7.Fhir.Model.OperationOutcome;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Instruments.Pipeline;

/// <summary>
/// Keeps the shipped instruments as shipped: the catalog's Questionnaires and CodeSystems, stored at start-up under
/// their fixed ids, cannot be changed or deleted through the API, and no other resource may claim a shipped
/// canonical url and version (a response naming <c>url|version</c> would then resolve to either). Runs on every write
/// path the API has (REST, conditional, transaction and batch entries), since they all prepare through the write hooks.
/// A write of exactly the shipped content passes: that is how start-up seeding stores and upgrades the catalog, and it
/// changes nothing a client relies on.
/// </summary>
/// <remarks>
/// Status codes. Changing or deleting a shipped resource: <b>409 Conflict</b>, issue <c>business-rule</c>. R4's delete
/// interaction asks for 405 only when a server refuses a whole type as policy, and for 409 when it refuses "because of
/// reasons specific to that resource"; an update refused for the same reason is the same conflict with the target's
/// state (RFC 9110 §15.5.10), so it gets the same code. Not 403, which says this caller lacks a right another might
/// have (no caller may do this through the API), and not 422, which judges the body (a delete has none, and the
/// proposed Questionnaire may be perfectly valid). Claiming a shipped url and version with another resource is a fault
/// of the proposed content itself: <b>422</b>, <c>business-rule</c>, as R4 says for content that breaks a server's
/// business rules.
/// </remarks>
public abstract class CatalogWriteGuard(InstrumentCatalog catalog) : IResourceWriteHook
{
    public abstract string ResourceType { get; }

    public Task OnWriteAsync(ResourceWriteContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (catalog.Shipped(context.ResourceType, context.Id) is { } shipped)
        {
            if (context.Resource is null || !SameContent(context.Resource, shipped))
            {
                throw new FhirOperationException(HttpStatusCode.Conflict, Outcomes.Create(
                    IssueSeverity.Error,
                    IssueType.BusinessRule,
                    $"{context.ResourceType}/{context.Id} is part of the instrument catalog this server ships, and cannot be "
                    + (context.Resource is null ? "deleted" : "changed")
                    + " through the API. To use a variant, publish it as a new resource under its own canonical url, or under "
                    + "the same url with a new version"));
            }

            return Task.CompletedTask;
        }

        if (context.Resource is IVersionableConformanceResource { Url: { } url, Version: { } version }
            && catalog.ShippedCanonical(context.ResourceType, url, version) is { } claimed)
        {
            throw FhirOperationException.Unprocessable(Outcomes.Create(
                IssueSeverity.Error,
                IssueType.BusinessRule,
                $"{url}|{version} is the canonical url and version of the shipped {context.ResourceType}/{claimed.Id}; "
                + "a variant needs its own url, or a new version",
                $"{context.ResourceType}.version"));
        }

        return Task.CompletedTask;
    }

    /// <summary>Equal apart from what the server stamps on every version (meta.versionId, meta.lastUpdated).</summary>
    private static bool SameContent(Resource written, Resource shipped) => Unstamped(written).IsExactly(Unstamped(shipped));

    private static Resource Unstamped(Resource resource)
    {
        var copy = (Resource)resource.DeepCopy();
        if (copy.Meta is { } meta)
        {
            meta.VersionId = null;
            meta.LastUpdated = null;
            if (!meta.EnumerateElements().Any())
            {
                copy.Meta = null;
            }
        }

        return copy;
    }
}
