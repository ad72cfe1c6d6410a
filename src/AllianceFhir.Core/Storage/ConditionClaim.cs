namespace AllianceFhir.Core.Storage;

/// <summary>
/// Carried by the version a conditional write creates. The store keeps one row per tenant, resource type and condition
/// naming the resource created for it, under a unique key, written in the same transaction as the version: two writers
/// that both found no match for the same condition cannot both commit (HAPI FHIR's <c>HFJ_RES_SEARCH_URL</c> works so).
/// </summary>
/// <param name="Condition">The condition in canonical form (<see cref="Resources.ConditionKey"/>).</param>
/// <param name="Replaces">
/// The resource the row names at present, which the writer has since found no longer matching (updated or deleted, or
/// never matching its own condition): the row is taken over only if it still names that resource. Null when the writer
/// expects no row.
/// </param>
public sealed record ConditionClaim(string Condition, string? Replaces);
