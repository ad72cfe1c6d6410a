using System.Net;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Import;

/// <summary>
/// What an import may write. Every imported resource is an upsert (create, or update when its id or identifier is
/// already there), so a type needs both create and update (<c>c</c> and <c>u</c>; SMART v1 <c>write</c> grants them),
/// from <c>system/</c> or <c>user/</c> scopes without a search filter. <c>patient/</c> and filtered scopes do not count:
/// a bulk load is not a patient's own action, and judging each line against a compartment or a filter would refuse
/// lines for reasons the importer cannot see in the file.
/// </summary>
public static class ImportAccess
{
    public const Permissions Needs = Permissions.Create | Permissions.Update;

    public static IReadOnlyList<string> ScopesOf(AccessContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return [.. caller.Scopes.Select(s => s.ToString())];
    }

    /// <summary>Whether the requester may import resources of this type.</summary>
    public static bool MayImport(ImportRequester requester, string resourceType)
    {
        ArgumentNullException.ThrowIfNull(requester);
        if (!AuditEventWrites.AcceptsWrites(resourceType) || !SupportedResourceTypes.IsSupported(resourceType))
        {
            return false;
        }

        if (requester.IsDevelopmentUser)
        {
            return true;
        }

        var granted = SmartScope.ParseAll(requester.Scopes)
            .Where(s => s.Context != ScopeContext.Patient && !s.IsFiltered && s.AppliesTo(resourceType))
            .Aggregate(Permissions.None, (all, s) => all | s.Permissions);
        return (granted & Needs) == Needs;
    }

    /// <summary>Whether the requester may import anything at all: refused up front, before a job is recorded.</summary>
    public static bool MayImportAny(ImportRequester requester) =>
        requester.IsDevelopmentUser || SupportedResourceTypes.All.Any(t => MayImport(requester, t));

    public static FhirOperationException Forbidden(string resourceType) =>
        FhirOperationException.Of(
            HttpStatusCode.Forbidden,
            OperationOutcome.IssueType.Forbidden,
            resourceType == "*"
                ? "Importing needs create and update permission (c and u) on the imported types from system/ or user/ scopes, e.g. system/Patient.cu; patient/ scopes do not allow $import"
                : $"Importing {resourceType} resources needs system/{resourceType}.cu or user/{resourceType}.cu (patient/ and search-filtered scopes do not allow $import)");
}
