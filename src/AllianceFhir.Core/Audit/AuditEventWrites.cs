using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// AuditEvents are the server's own record: it writes them, and nobody changes them through the API, neither directly
/// nor as an entry of a transaction or batch. Asked before anything else is decided, so nothing is written.
/// </summary>
public static class AuditEventWrites
{
    /// <summary>Whether create, update and delete of this type are offered through the API at all.</summary>
    public static bool AcceptsWrites(string resourceType) => resourceType != nameof(AuditEvent);

    public static void EnsureAllowed(FhirInteraction interaction, string resourceType)
    {
        if (AcceptsWrites(resourceType))
        {
            return;
        }

        if (interaction is FhirInteraction.Create or FhirInteraction.ConditionalCreate or FhirInteraction.Update
            or FhirInteraction.ConditionalUpdate or FhirInteraction.Patch or FhirInteraction.Delete or FhirInteraction.ConditionalDelete)
        {
            throw FhirOperationException.Of(
                HttpStatusCode.MethodNotAllowed,
                OperationOutcome.IssueType.NotSupported,
                "AuditEvents are recorded by this server and cannot be created, updated or deleted through the API");
        }
    }
}
