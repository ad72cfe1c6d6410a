using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Resources;

public static class StoredResources
{
    /// <summary>Parses the stored JSON of a version; null for a version that records a delete.</summary>
    public static Resource? ToResource(this ResourceVersion version) =>
        version.Json is null ? null : FhirSerialization.ParseStored(version.Json);
}
