using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Subscriptions;

/// <summary>
/// Every create or update of a Subscription (REST or a Bundle entry) is validated and authorized here, before anything
/// is written: a refused Subscription stores nothing. The server owns <c>status</c> beyond <c>requested</c>/<c>off</c>
/// and the owner-patient and service-base extensions. Header values sent back masked keep their stored values (<see cref="ChannelHeaderMask"/>).
/// </summary>
public sealed class SubscriptionWriteHook(SubscriptionReader reader, AccessPolicy policy, IHttpContextAccessor http) : IResourceWriteHook
{
    public string ResourceType => nameof(Subscription);

    public Task OnWriteAsync(ResourceWriteContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Resource is not Subscription subscription)
        {
            return Task.CompletedTask;
        }

        var previous = (context.Previous as Subscription)?.Status;
        var status = subscription.Status;
        if (status is not (Subscription.SubscriptionStatus.Requested or Subscription.SubscriptionStatus.Off) && status != previous)
        {
            throw FhirOperationException.Of(
                System.Net.HttpStatusCode.UnprocessableEntity,
                OperationOutcome.IssueType.BusinessRule,
                $"A client sets Subscription.status to requested (or off); '{subscription.StatusElement?.JsonValue ?? "(none)"}' is the server's to set",
                "Subscription.status");
        }

        // Before validation: a header sent back masked keeps its stored value (a client that read the Subscription masked
        // and writes it back must not replace the credential with the placeholder).
        ChannelHeaderMask.Restore(subscription, context.Previous as Subscription);

        // The owner is the server's to record: whatever the client sent is replaced by what its token allows.
        subscription.RemoveExtension(BackportUrls.OwnerPatient);

        // So is the base the criteria are read with later, outside this request (SubscriptionReader): this write's base.
        // A client's value would let it make another server's URLs local.
        subscription.RemoveExtension(BackportUrls.ServiceBase);
        if (context.ServiceBase.Url is { } serviceBase)
        {
            subscription.SetExtension(BackportUrls.ServiceBase, new FhirUrl(serviceBase));
        }

        var live = reader.Read(string.Empty, subscription);
        if (http.HttpContext?.FindAccessContext() is { } caller
            && SubscriptionAccess.OwnerPatient(policy, caller, live) is { } patient)
        {
            subscription.SetExtension(BackportUrls.OwnerPatient, new ResourceReference($"Patient/{patient}"));
        }

        return Task.CompletedTask;
    }
}
