using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Export;

/// <summary>
/// What an export may read. Exporting a type is searching it in bulk, so each exported type needs read and search
/// (<c>r</c> and <c>s</c>, SMART v1 <c>read</c>), as <c>system/*.rs</c> grants in the Bulk Data examples. A
/// <c>patient/</c> scope grants the types of the Patient compartment, limited to the token's patient, and a
/// search-filtered scope only what its search matches: the worker narrows each type's query exactly as a search under
/// the same token is narrowed (<see cref="AccessPolicy.AuthorizeSearch"/>).
/// </summary>
public static class ExportAccess
{
    public const Permissions Needs = Permissions.Read | Permissions.Search;

    public static bool MayExport(AccessPolicy policy, AccessContext caller, string resourceType)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return (policy.Granted(caller, resourceType) & Needs) == Needs;
    }

    public static FhirOperationException Forbidden(string resourceType) =>
        FhirOperationException.Of(
            HttpStatusCode.Forbidden,
            OperationOutcome.IssueType.Forbidden,
            resourceType == "*"
                ? "Exporting needs read and search permission (r and s) on the exported types, e.g. system/*.rs or system/Patient.rs; this token grants them on none"
                : $"Exporting {resourceType} resources needs the scope system/{resourceType}.rs (or user/ or patient/ {resourceType}.rs, or a * scope)");
}
