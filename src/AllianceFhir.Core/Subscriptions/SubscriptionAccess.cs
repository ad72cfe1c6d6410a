using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Subscriptions;

/// <summary>
/// Who may subscribe to what: writing the Subscription needs its own write scope (decided by the REST layer like any
/// write), and the creator must be able to read and search every type the subscription would tell them about. A
/// creator whose access to those types is limited to one patient's compartment gets a subscription bound to that
/// compartment (<see cref="BackportUrls.OwnerPatient"/>); a search-filtered grant cannot be carried into matching, so it is refused.
/// </summary>
public static class SubscriptionAccess
{
    /// <summary>The patient the subscription is bound to, or null when the caller may see all of the types.</summary>
    public static string? OwnerPatient(AccessPolicy policy, AccessContext caller, LiveSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(subscription);
        IReadOnlyList<string> types = subscription.IsTopic
            ? [nameof(QuestionnaireResponse), nameof(Observation)]
            : [subscription.Matcher.ResourceType];
        string? owner = null;
        foreach (var type in types)
        {
            policy.Demand(caller, new AccessRequest(FhirInteraction.SearchType, [type], Permissions.Read | Permissions.Search));
            if (!policy.IsRestricted(caller, type, Permissions.Read) && !policy.IsRestricted(caller, type, Permissions.Search))
            {
                continue;
            }

            var granting = caller.Scopes.Where(s => s.AppliesTo(type) && s.Permissions.HasFlag(Permissions.Read)).ToList();
            if (string.IsNullOrEmpty(caller.Patient) || granting.Any(s => s.IsFiltered) || granting.Any(s => s.Context != ScopeContext.Patient))
            {
                throw FhirOperationException.Of(
                    HttpStatusCode.Forbidden,
                    OperationOutcome.IssueType.Forbidden,
                    $"This token may read only some {type} resources through search-filtered scopes; a Subscription cannot carry that filter, so it may not subscribe to {type}");
            }

            owner = caller.Patient;
        }

        return owner;
    }
}
