using AllianceFhir.Core.Storage;

namespace AllianceFhir.Storage;

/// <summary>
/// Before tenants separated data, start-up seeding stored the shipped catalog under the default tenant. Those rows (every
/// version, with their index rows) move to the catalog tenant, so the default tenant does not keep a private copy that
/// shadows later catalog versions. Only rows of the shipped ids in the tenant named <c>default</c> move: the catalog
/// guard never let anything else be stored under those ids. A deployment that had set another Storage:TenantId runs
/// the same statements with its name.
/// </summary>
internal static class CatalogTenantMove
{
    private const string FromTenant = "default";

    private static readonly string[] IndexTables = ["DateIndex", "NumberIndex", "QuantityIndex", "ReferenceIndex", "StringIndex", "TokenIndex", "UriIndex"];

    private const string ShippedRows =
        "((ResourceType = 'Questionnaire' AND ResourceId IN ('haq-ii', 'ors', 'srs', 'trc-5', 'wai-sr')) "
        + "OR (ResourceType = 'CodeSystem' AND ResourceId IN ('alliance-answer', 'alliance-score')))";

    public static IEnumerable<string> Up() => Move(FromTenant, Tenants.Catalog);

    public static IEnumerable<string> Down() => Move(Tenants.Catalog, FromTenant);

    /// <summary>Index rows first, while their resource rows still name the old tenant.</summary>
    private static IEnumerable<string> Move(string from, string to)
    {
        var moving = $"SELECT Surrogate FROM Resources WHERE TenantId = '{from}' AND {ShippedRows}";
        foreach (var table in IndexTables)
        {
            yield return $"UPDATE {table} SET TenantId = '{to}' WHERE TenantId = '{from}' AND ResourceSurrogate IN ({moving});";
        }

        yield return $"UPDATE Resources SET TenantId = '{to}' WHERE TenantId = '{from}' AND {ShippedRows};";
    }
}
