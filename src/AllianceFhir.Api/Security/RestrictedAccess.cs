using System.Globalization;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Security;

/// <summary>
/// Restricted grants (patient/ and search-filtered scopes) applied to REST calls on one resource: a resource (or
/// version) the caller may not read answers 404 as if it did not exist (so nothing is revealed about it), a write to or
/// of a resource outside the grant answers 403. Decided before the endpoint runs, except the new content of a write, which the endpoint
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

        var store = http.RequestServices.GetRequiredService<IResourceStore>();
        var id = segments[1];
        switch (access.Interaction)
        {
            case FhirInteraction.HistoryInstance:
                // Judged version by version where the versions are listed (HistoryEndpoints).
                return;
            case FhirInteraction.VRead:
                // A version id that is no number is the endpoint's 404 to give, in the same words.
                if (int.TryParse(segments[3], NumberStyles.None, CultureInfo.InvariantCulture, out var versionId))
                {
                    await policy.DemandReadableAsync(caller, store, type, id, versionId, http.RequestAborted);
                }

                return;
            case FhirInteraction.Update or FhirInteraction.Delete:
                // The new content of an update is checked by the endpoint once it has parsed the body (DemandWritable).
                await policy.DemandWritableByIdAsync(caller, store, permission, type, id, incoming: null, http.RequestAborted);
                return;
            case var _ when permission == Permissions.Read:
                await policy.DemandReadableAsync(caller, store, type, id, versionId: null, http.RequestAborted);
                return;
            default:
                throw new InvalidOperationException($"No restricted-access rule for {access.Interaction} needing {permission}");
        }
    }

    /// <summary>The new content of a create or update must lie inside what the caller's scopes grant.</summary>
    public static void DemandWritable(this HttpContext http, Permissions permission, Resource incoming)
    {
        var caller = http.GetAccessContext();
        http.RequestServices.GetRequiredService<AccessPolicy>().DemandWrite(caller, permission, incoming);
    }
}
