using AllianceFhir.Core.Security;

namespace AllianceFhir.Core.Search;

/// <summary>
/// Who searches and where the links point: the FHIR base URL (for fullUrls and paging links), the caller whose scopes
/// bound the search, and whether unsupported parameters are refused (<c>Prefer: handling=strict</c>) or reported.
/// </summary>
public sealed record SearchCall(string BaseUrl, AccessContext Caller, bool Strict = false);
