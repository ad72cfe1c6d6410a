using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Security;

/// <summary>
/// The clinic a caller acts for: the token's tenant claim (<c>Auth:TenantClaim</c>), else the default tenant
/// (<c>Storage:TenantId</c>) unless <c>Auth:RequireTenantClaim</c> is set. Decided once per request, before any
/// endpoint runs; the request's store is bound to it (<see cref="RequestStore"/>).
/// </summary>
public static class CallerTenant
{
    /// <summary>The caller with its effective tenant in <see cref="AccessContext.Tenant"/>.</summary>
    /// <exception cref="FhirOperationException">403 when the token names no tenant and one is required, or names one no caller may act as.</exception>
    public static AccessContext Resolve(AccessContext caller, AuthOptions auth, string defaultTenant)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(auth);
        if (string.IsNullOrEmpty(caller.Tenant))
        {
            // Authenticated, but this server serves clinics only: the caller may not do this (403), and a new token
            // from the same authorization server would not help unless it is issued for a clinic.
            return auth.RequireTenantClaim && !caller.IsDevelopmentUser
                ? throw Forbidden($"The token has no '{auth.TenantClaim}' claim, and this server serves clinics only: ask for a token issued for a clinic")
                : caller with { Tenant = defaultTenant };
        }

        if (caller.Tenant == Tenants.Catalog || caller.Tenant.Length > Tenants.MaxLength)
        {
            throw Forbidden($"The token's '{auth.TenantClaim}' claim does not name a clinic this server can serve");
        }

        return caller;
    }

    private static FhirOperationException Forbidden(string diagnostics) =>
        FhirOperationException.Of(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, diagnostics);
}
