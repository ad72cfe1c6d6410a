using AllianceFhir.Core.Security;

namespace AllianceFhir.Core.Audit;

/// <summary>
/// What one request did, as far as the audit goes: never a resource's content, only references to it, and a search's
/// query only in the form <see cref="AuditQuery"/> leaves of it.
/// </summary>
/// <param name="Interaction">The interaction, or null for <c>POST [base]</c> (see <paramref name="BundleKind"/>).</param>
/// <param name="BundleKind"><c>transaction</c> or <c>batch</c> for a Bundle, when its type was read.</param>
/// <param name="Status">The HTTP status answered (or, for a commit, 200: the write succeeded with its audit).</param>
/// <param name="Caller">The caller, or null when the request was refused before a token was accepted.</param>
/// <param name="Entities">References (<c>Type/id</c>, <c>Type/id/_history/v</c>) of the resources the request touched.</param>
/// <param name="Query">The query as <see cref="AuditQuery.Describe"/> leaves it, for searches, histories and conditions.</param>
/// <param name="Patients">References (<c>Patient/id</c>) of the patients the data is about, as far as known.</param>
public sealed record AuditRecord(
    FhirInteraction? Interaction,
    string? BundleKind,
    string? Operation,
    DateTimeOffset Recorded,
    int Status,
    AccessContext? Caller,
    string? SourceAddress,
    IReadOnlyList<string> Entities,
    string? Query,
    IReadOnlyList<string> Patients);
