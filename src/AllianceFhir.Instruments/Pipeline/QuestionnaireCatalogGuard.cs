using AllianceFhir.Instruments.Catalog;

namespace AllianceFhir.Instruments.Pipeline;

/// <summary>The <see cref="CatalogWriteGuard"/> for the shipped instrument Questionnaires.</summary>
public sealed class QuestionnaireCatalogGuard(InstrumentCatalog catalog) : CatalogWriteGuard(catalog)
{
    public override string ResourceType => "Questionnaire";
}
