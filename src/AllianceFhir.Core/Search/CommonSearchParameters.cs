using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Search;

/// <summary>
/// The Resource-level parameters of R4 (search.html#all). The Firely SDK's list does not carry them, so they are
/// written here once, with expressions relative to the resource so they apply to every type.
/// </summary>
internal static class CommonSearchParameters
{
    /// <summary>Their names: the parameters that mean the same on every type, so a whole-system search can apply them.</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(For("Resource").Select(p => p.Name), StringComparer.Ordinal);

    public static IEnumerable<SearchParameterInfo> For(string resourceType)
    {
        yield return Make(resourceType, "_id", SearchParamType.Token, "id", "Logical id of this artifact");
        yield return Make(resourceType, "_lastUpdated", SearchParamType.Date, "meta.lastUpdated", "When the resource version last changed");
        yield return Make(resourceType, "_tag", SearchParamType.Token, "meta.tag", "Tags applied to this resource");
        yield return Make(resourceType, "_profile", SearchParamType.Uri, "meta.profile", "Profiles this resource claims to conform to");
        yield return Make(resourceType, "_security", SearchParamType.Token, "meta.security", "Security Labels applied to this resource");
        yield return Make(resourceType, "_source", SearchParamType.Uri, "meta.source", "Identifies where the resource comes from");
    }

    private static SearchParameterInfo Make(string resourceType, string name, SearchParamType type, string expression, string documentation) =>
        new(resourceType, name, type, expression, [], [], documentation, $"http://hl7.org/fhir/SearchParameter/Resource{name.Replace('_', '-')}");
}
