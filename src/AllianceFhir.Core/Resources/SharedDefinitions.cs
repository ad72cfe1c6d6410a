using System.Collections.Concurrent;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Resources;

/// <summary>
/// Parsed definitional resources (Questionnaire, ValueSet, CodeSystem) shared between requests. Every submitted
/// response needs its Questionnaire, and parsing a stored Questionnaire again for each one was a good part of a
/// submit's CPU. The cache is keyed by the stored JSON itself, so a new version (its JSON differs in meta at least)
/// can never be served an old parse, and nothing needs invalidating. Instances are shared: readers must not modify
/// them (see <see cref="Pipeline.IResourceReader"/>).
/// </summary>
public static class SharedDefinitions
{
    /// <summary>Bounded because clients can post any number of these; past it the cache simply starts over.</summary>
    private const int MaxEntries = 512;

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "Questionnaire", "ValueSet", "CodeSystem" };
    private static readonly ConcurrentDictionary<string, Resource> Parsed = new(StringComparer.Ordinal);

    /// <summary>The resource of a stored version: shared for definitional types, a fresh parse for everything else.</summary>
    public static Resource? Materialize(ResourceVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.IsDeleted || version.Json is null || !Types.Contains(version.ResourceType))
        {
            return version.ToResource();
        }

        if (Parsed.TryGetValue(version.Json, out var cached))
        {
            return cached;
        }

        if (Parsed.Count >= MaxEntries)
        {
            Parsed.Clear();
        }

        var resource = version.ToResource()!;
        Parsed.TryAdd(version.Json, resource);
        return resource;
    }
}
