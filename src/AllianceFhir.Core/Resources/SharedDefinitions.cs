using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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

    /// <summary>
    /// The same parse by the JSON's instance: a store that hands out the same string for an unchanged row (the SQLite
    /// reader does for these types) is answered without hashing ~20 KB of text per read.
    /// </summary>
    private static readonly ConditionalWeakTable<string, Resource> ByInstance = [];

    /// <summary>Whether stored versions of the type are parsed once and shared.</summary>
    public static bool IsShared(string resourceType) => Types.Contains(resourceType);

    /// <summary>The resource of a stored version: shared for definitional types, a fresh parse for everything else.</summary>
    public static Resource? Materialize(ResourceVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.IsDeleted || version.Json is null || !Types.Contains(version.ResourceType))
        {
            return version.ToResource();
        }

        if (ByInstance.TryGetValue(version.Json, out var same))
        {
            return same;
        }

        if (Parsed.TryGetValue(version.Json, out var cached))
        {
            ByInstance.AddOrUpdate(version.Json, cached);
            return cached;
        }

        if (Parsed.Count >= MaxEntries)
        {
            Parsed.Clear();
        }

        var resource = version.ToResource()!;
        Parsed.TryAdd(version.Json, resource);
        ByInstance.AddOrUpdate(version.Json, resource);
        return resource;
    }
}
