using Hl7.Fhir.Serialization;

namespace AllianceFhir.Core.Serialization;

/// <summary>
/// The configured Firely parsers and serializers, built once: constructing them per call is slow, and every part of the
/// server must parse exactly as strictly as the API does.
/// </summary>
public static class FhirSerialization
{
    /// <summary>Strict: unknown elements, bad primitives and invalid values are errors, not silently dropped data.</summary>
    public static readonly DeserializerSettings StrictSettings =
        new DeserializerSettings().UsingMode(DeserializationMode.Strict);

    public static readonly FhirJsonDeserializer JsonDeserializer = new(StrictSettings);

    public static readonly FhirXmlDeserializer XmlDeserializer = new(StrictSettings);

    public static FhirJsonSerializer JsonSerializer => FhirJsonSerializer.Default;

    public static FhirXmlSerializer XmlSerializer => FhirXmlSerializer.Default;
}
