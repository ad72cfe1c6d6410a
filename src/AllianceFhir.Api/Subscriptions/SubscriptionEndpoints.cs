using AllianceFhir.Api.Endpoints;
using AllianceFhir.Api.Security;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Subscriptions;

/// <summary>The backport IG's <c>Subscription/[id]/$status</c>: the SubscriptionStatus of one subscription (type query-status).</summary>
public static class SubscriptionEndpoints
{
    public static void MapSubscriptionOperations(this RouteGroupBuilder fhir)
    {
        fhir.MapGroup("/Subscription").WithTags(nameof(Subscription))
            .MapGet("/{id}/$status", StatusAsync)
            .WithName("status-Subscription")
            .WithSummary("The status of a subscription and how many events it has been sent (Subscriptions Backport $status)")
            .WithDescription("A Parameters resource under the backport-subscription-status-r4 profile, type query-status.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status404NotFound, StatusCodes.Status410Gone);
    }

    public static async Task<IResult> StatusAsync(
        string id,
        ResourceService service,
        SubscriptionReader reader,
        ISubscriptionOutbox outbox,
        HttpContext http,
        CancellationToken ct)
    {
        // Read through the caller's tenant-bound service: another tenant's subscription is as unknown as a missing one.
        var stored = await service.ReadAsync(nameof(Subscription), id, ct);
        var subscription = stored.ToResource() as Subscription
            ?? throw FhirOperationException.NotFound($"Subscription/{id} is not known");
        var tenant = http.GetAccessContext().Tenant ?? string.Empty;
        var live = reader.Read(tenant, subscription);
        var events = await outbox.EventCountAsync(tenant, id, ct);
        return FhirResponse.Of(SubscriptionStatusBundle.Status(live, FhirUrls.Base(http.Request), SubscriptionStatusBundle.QueryStatus, events, []));
    }
}

/// <summary>Offers the one backport topic (the IG's CapabilityStatement extension) and <c>$status</c> on Subscription.</summary>
public sealed class SubscriptionCapability : ICapabilityContributor
{
    public void Contribute(CapabilityStatement.ResourceComponent resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.Type != nameof(Subscription))
        {
            return;
        }

        resource.AddExtension(BackportUrls.TopicCanonical, new Canonical(BackportUrls.ResponseCompletedTopic));
        resource.Operation.Add(new CapabilityStatement.OperationComponent
        {
            Name = "status",
            Definition = "http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status",
        });
    }
}
