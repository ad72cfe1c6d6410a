using System.Net;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Security;

/// <summary>
/// The answer to "may this caller do this": allowed, or refused with the scope that would have allowed it
/// (<see cref="NeededScope"/>, for the 403's OperationOutcome and the RFC 6750 <c>insufficient_scope</c> challenge).
/// </summary>
public sealed record AccessDecision(bool Allowed, string? NeededScope, string? Reason)
{
    public static readonly AccessDecision Allow = new(true, null, null);

    public static AccessDecision Deny(string neededScope, string reason) => new(false, neededScope, reason);

    /// <summary>The 403 a refused request answers with.</summary>
    public FhirOperationException ToException() =>
        Allowed
            ? throw new InvalidOperationException("an allowed request has no refusal")
            : FhirOperationException.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, Reason!);
}
