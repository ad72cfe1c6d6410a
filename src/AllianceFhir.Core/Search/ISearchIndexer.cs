using AllianceFhir.Core.References;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>Extracts the search-index values of a resource from the R4 SearchParameter definitions.</summary>
public interface ISearchIndexer
{
    /// <summary>The values with only relative references taken as local (no service base known).</summary>
    IReadOnlyList<SearchIndexValue> Extract(Resource resource);

    /// <summary>The values with references that are absolute URLs under <paramref name="serviceBase"/> taken as local too.</summary>
    IReadOnlyList<SearchIndexValue> Extract(Resource resource, ServiceBase serviceBase);
}
