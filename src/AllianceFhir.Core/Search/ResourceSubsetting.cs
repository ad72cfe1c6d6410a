using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Core.Search;

/// <summary>
/// `_summary` and `_elements` applied to one search match, marked SUBSETTED as R4 requires of a resource that is
/// not complete. Firely's serializer does the trimming; the result is read back leniently because a subset may
/// lack elements a strict reader insists on.
/// </summary>
public static class ResourceSubsetting
{
    private const string SubsettedSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
    private const string Stu3SubsettedSystem = "http://hl7.org/fhir/v3/ObservationValue";
    private static readonly Coding Subsetted = new(SubsettedSystem, "SUBSETTED");

    private static readonly FhirJsonDeserializer Lenient = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    private static IEnumerable<string> MandatoryElements(Resource resource) =>
        ModelInfo.ModelInspector.FindClassMapping(resource.GetType())?.PropertyMappings
            .Where(p => p.IsMandatoryElement)
            .Select(p => p.Name) ?? [];

    /// <summary>The <c>_summary</c> values R4 defines; anything else is refused rather than silently ignored.</summary>
    public static SummaryMode ParseSummary(string value) => value switch
    {
        "true" => SummaryMode.True,
        "false" => SummaryMode.False,
        "count" => SummaryMode.Count,
        "data" => SummaryMode.Data,
        "text" => SummaryMode.Text,
        _ => throw Errors.FhirOperationException.BadRequest($"_summary must be true, false, count, data or text, not '{value}'."),
    };

    /// <summary>
    /// Subsets the resource of every entry of a result set (a history), never the Bundle itself: R4 applies
    /// <c>_summary</c>/<c>_elements</c> to the resources a result set returns, and the Bundle, its links and each
    /// entry's request and response stay whole.
    /// </summary>
    public static void ApplyToEntries(Bundle bundle, SummaryMode summary, IReadOnlyList<string> elements)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        foreach (var entry in bundle.Entry)
        {
            if (entry.Resource is { } resource)
            {
                entry.Resource = Apply(resource, summary, elements);
            }
        }
    }

    public static Resource Apply(Resource resource, SummaryMode summary, IReadOnlyList<string> elements)
    {
        var summaryType = summary switch
        {
            SummaryMode.True => SummaryType.True,
            SummaryMode.Text => SummaryType.Text,
            SummaryMode.Data => SummaryType.Data,
            _ => SummaryType.False,
        };
        if (summaryType == SummaryType.False && elements.Count == 0)
        {
            return resource;
        }

        // _elements names elements of the resource; id, meta and the mandatory elements always stay (R4: servers SHOULD
        // return them), so the subset still parses as the resource it claims to be.
        var json = FhirSerialization.JsonSerializer.SerializeToString(
            resource, summaryType, elements.Count == 0 ? null : [.. elements, "id", "meta", .. MandatoryElements(resource)]);
        Resource subset;
        try
        {
            // As deep as stored JSON may be (FhirSerialization.StoredMaxDepth), not the reader's default 64.
            var reader = new System.Text.Json.Utf8JsonReader(
                System.Text.Encoding.UTF8.GetBytes(json), new System.Text.Json.JsonReaderOptions { MaxDepth = FhirSerialization.StoredMaxDepth });
            subset = Lenient.DeserializeResource(ref reader);
        }
        catch (DeserializationFailedException ex) when (ex.PartialResult is Resource partial)
        {
            subset = partial;
        }

        // Exactly one tag: Firely's serializer adds its own in the R4 system and the STU3 one, and a stored resource may
        // already carry either.
        subset.Meta ??= new Meta();
        subset.Meta.Tag.RemoveAll(t => t.Code == Subsetted.Code && t.System is SubsettedSystem or Stu3SubsettedSystem);
        subset.Meta.Tag.Add((Coding)Subsetted.DeepCopy());

        return subset;
    }
}
