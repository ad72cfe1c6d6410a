using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>Extracts the search-index values of a resource from the R4 SearchParameter definitions.</summary>
public interface ISearchIndexer
{
    IReadOnlyList<SearchIndexValue> Extract(Resource resource);
}
