using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
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

    /// <summary>
    /// As deep as System.Text.Json writes by default, so anything this server ever stored can be read back. Requests
    /// are held to <see cref="FhirBodyGuard.MaxNestingDepth"/>, but XML bodies had no limit before it existed, and a
    /// stored resource that cannot be read breaks history, search and delete for everyone.
    /// </summary>
    public const int StoredMaxDepth = 1000;

    public static FhirJsonSerializer JsonSerializer => FhirJsonSerializer.Default;

    public static FhirXmlSerializer XmlSerializer => FhirXmlSerializer.Default;

    /// <summary>Parses JSON this server stored (trusted: it passed the request checks when it was written).</summary>
    public static Resource ParseStored(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = StoredMaxDepth });
        return JsonDeserializer.DeserializeResource(ref reader);
    }
}
