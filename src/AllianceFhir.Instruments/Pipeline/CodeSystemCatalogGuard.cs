using AllianceFhir.Instruments.Catalog;

namespace AllianceFhir.Instruments.Pipeline;

/// <summary>The <see cref="CatalogWriteGuard"/> for the shipped CodeSystems (alliance-score, alliance-answer).</summary>
public sealed class CodeSystemCatalogGuard(InstrumentCatalog catalog) : CatalogWriteGuard(catalog)
{
    public override string ResourceType => "CodeSystem";
}
