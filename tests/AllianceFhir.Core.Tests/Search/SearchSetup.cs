using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Tests.Search;

/// <summary>One registry, indexer and parser for all search tests: building them compiles every expression.</summary>
internal static class SearchSetup
{
    public static readonly SearchParameterRegistry Registry = new();

    public static readonly SearchIndexer Indexer = new(Registry);

    public static readonly SearchQueryParser Parser = new(Registry);
}
