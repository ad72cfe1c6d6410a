namespace AllianceFhir.Core.Storage;

/// <summary>
/// One clinic is one tenant: a store serves exactly one (see <see cref="IResourceStoreFactory"/>), and the same id or
/// identifier in two tenants are two resources. The shipped instrument catalog lives in a tenant of its own that every
/// tenant reads for the definitional types, so one copy serves all clinics while a clinic's own Questionnaires stay its own.
/// </summary>
public static class Tenants
{
    /// <summary>The reserved tenant of the shipped catalog. The '$' keeps it apart from clinic names; no caller may act as it.</summary>
    public const string Catalog = "$catalog";

    /// <summary>Longest tenant name the store keeps (the TenantId column).</summary>
    public const int MaxLength = 64;

    private static readonly HashSet<string> Shared = new(StringComparer.Ordinal) { "Questionnaire", "CodeSystem", "ValueSet" };

    /// <summary>
    /// Whether a tenant's reads, searches and canonical resolution of this type also see the catalog's resources. Only
    /// definitional types: every other type a clinic sees is its own.
    /// </summary>
    public static bool SeesCatalog(string tenant, string resourceType) =>
        !string.Equals(tenant, Catalog, StringComparison.Ordinal) && Shared.Contains(resourceType);
}
