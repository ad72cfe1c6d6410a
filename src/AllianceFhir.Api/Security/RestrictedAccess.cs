using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Security;

/// <summary>
/// Restricted grants (patient/ and search-filtered scopes) applied to REST calls on one resource: a resource the caller
/// may not read answers 404 as if it did not exist (so nothing is revealed about it), a write to or of a resource outside
/// the grant answers 403. Decided before the endpoint runs, except the new content of a write, which the endpoint
/// hands to <see cref="DemandWritable"/> once it has parsed the body.
/// </summary>
public static class RestrictedAccess
{
    public static async Task AuthorizeInstanceAsync(HttpContext http, AccessContext caller, AccessPolicy policy, AccessRequest access, string path)
    {
        policy.DemandApplicable(caller, access);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var instance = access.Interaction switch
        {
            FhirInteraction.Read or FhirInteraction.VRead or FhirInteraction.HistoryInstance => true,
            FhirInteraction.Update or FhirInteraction.Delete => true,
            FhirInteraction.Operation => segments.Length == 3,
            _ => false,
        };
        var type = segments.Length > 0 ? segments[0] : string.Empty;
        var permission = access.Interaction == FhirInteraction.Operation ? access.Needs : InteractionPermissions.Required(access.Interaction);
        if (!instance || segments.Length < 2 || !policy.IsRestricted(caller, type, permission))
        {
            return;
        }

        var reader = http.RequestServices.GetRequiredService<IResourceReader>();
        var current = await reader.ReadAsync(type, segments[1], http.RequestAborted);
        var isWrite = access.Interaction is FhirInteraction.Update or FhirInteraction.Delete;
        if (isWrite)
        {
            policy.DemandWrite(caller, permission, current, incoming: null);
            return;
        }

        // Unknown, deleted and outside the grant look the same: a deleted resource's 410 would tell that it existed.
        if (current is null || !policy.Permits(caller, permission, current))
        {
            throw FhirOperationException.NotFound($"{type}/{segments[1]} is not known");
        }
    }

    /// <summary>The new content of a create or update must lie inside what the caller's scopes grant.</summary>
    public static void DemandWritable(this HttpContext http, Permissions permission, Resource incoming)
    {
        var caller = http.GetAccessContext();
        http.RequestServices.GetRequiredService<AccessPolicy>().DemandWrite(caller, permission, current: null, incoming);
    }
}
