using AllianceFhir.Core.References;

namespace AllianceFhir.Core.Security;

/// <summary>
/// Who is asking, as far as access decisions go: the token's subject and client, its resource scopes, and the clinic
/// tenant and patient it was issued for. Built once per request by the host from the validated token and handed to
/// <see cref="AccessPolicy"/> (and to Bundle processing) explicitly, never read from a global.
/// </summary>
/// <param name="Subject">The token's <c>sub</c>; never logged at Information or above with request data.</param>
/// <param name="ClientId">The client the token was issued to (<c>client_id</c>, <c>azp</c>), for rate limits and audit.</param>
/// <param name="Scopes">The SMART resource scopes the token grants.</param>
/// <param name="Tenant">The clinic tenant: the token's claim, or the host's default tenant; the request's store is bound to it.</param>
/// <param name="Patient">The launch patient id, when the token carries one (patient compartments are a later step).</param>
/// <param name="IsDevelopmentUser">The single full-access user of a Development server started without an authority.</param>
public sealed record AccessContext(
    string? Subject,
    string? ClientId,
    IReadOnlyList<SmartScope> Scopes,
    string? Tenant,
    string? Patient,
    bool IsDevelopmentUser = false)
{
    /// <summary>
    /// The service base this caller addresses (see <see cref="ServiceBase"/>): the references of a resource judged for
    /// the caller's patient compartment that are absolute URLs under it are the local ones. The host sets it per request;
    /// without it only relative references count, which can only narrow what a patient/ scope grants.
    /// </summary>
    public ServiceBase ServiceBase { get; init; } = ServiceBase.None;

    /// <summary>Everything, for everyone: what an open Development server lets each request do.</summary>
    public static AccessContext Development { get; } = new(
        "development",
        "development",
        [new SmartScope(ScopeContext.System, SmartScope.AnyType, Permissions.All, [])],
        Tenant: null,
        Patient: null,
        IsDevelopmentUser: true);
}
