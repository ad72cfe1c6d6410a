using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.References;

/// <summary>
/// Search parameters index the references on their own paths only; a reference in an extension, a contained resource
/// or an element no parameter covers would be invisible to "who refers to this?". Those are added to the reference
/// index under <see cref="ParamName"/>, so the check before a delete finds every referrer with the same index seeks.
/// </summary>
public static class UnindexedReferences
{
    /// <summary>
    /// The reference-index name for local references outside every search parameter's path. It is no search parameter
    /// (FHIR reserves the leading underscore for its common parameters and defines none by this name), so no search,
    /// include or sort can reach these rows.
    /// </summary>
    public const string ParamName = "_reference";

    /// <summary>The index plus a row for each referenced resource that none of its reference values already names.</summary>
    public static IReadOnlyList<SearchIndexValue> Complete(IReadOnlyList<SearchIndexValue> index, IReadOnlyList<LocalReference> references)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
        {
            return index;
        }

        var indexed = index.OfType<ReferenceIndexValue>()
            .Where(v => v.TargetType is not null && v.TargetId is not null)
            .Select(v => (v.TargetType!, v.TargetId!))
            .ToHashSet();
        List<SearchIndexValue>? completed = null;
        foreach (var reference in references)
        {
            if (indexed.Add((reference.ResourceType, reference.Id)))
            {
                completed ??= [.. index];
                completed.Add(new ReferenceIndexValue(ParamName, reference.ResourceType, reference.Id, null, reference.Version));
            }
        }

        return completed ?? index;
    }
}
