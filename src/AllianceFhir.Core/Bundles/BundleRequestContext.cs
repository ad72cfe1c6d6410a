using AllianceFhir.Core.Security;

namespace AllianceFhir.Core.Bundles;

/// <summary>What a Bundle's processing needs from the HTTP request it came in.</summary>
/// <param name="BaseUrl">This server's FHIR base, e.g. <c>https://host/fhir</c>: for fullUrls and absolute request.urls.</param>
/// <param name="Return">The client's <c>Prefer: return</c> for the resources of write entries.</param>
/// <param name="MaxEntries">More entries than this are refused with 413.</param>
/// <param name="Access">The caller: every entry is decided against its scopes before anything is written.</param>
public sealed record BundleRequestContext(string BaseUrl, ReturnPreference Return, int MaxEntries, AccessContext Access);

/// <summary>The <c>Prefer: return=…</c> choices, as they apply to the entries of a transaction/batch response.</summary>
public enum ReturnPreference
{
    Representation,
    Minimal,
    OperationOutcome,
}
