using Hl7.Fhir.Serialization;

namespace AllianceFhir.Instruments.Fhir;

/// <summary>One shared, configured Firely deserializer/serializer: building them per call is slow.</summary>
internal static class FhirSerialization
{
    public static readonly FhirJsonDeserializer Deserializer = FhirJsonDeserializer.DEFAULT;
}
