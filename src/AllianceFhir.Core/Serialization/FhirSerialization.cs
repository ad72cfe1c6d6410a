using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
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

    /// <summary>Past this size a thread's serialization buffer is let go after use rather than kept for the next call.</summary>
    private const int MaxRetainedBufferBytes = 256 * 1024;

    /// <summary>The options <see cref="FhirJsonSerializer.SerializeToString"/> writes with, so stored JSON is unchanged.</summary>
    private static readonly JsonWriterOptions StoredWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// The JSON a version is stored as: the same text as <c>JsonSerializer.SerializeToString</c>, written through a
    /// buffer and writer kept per thread. Every write serializes each resource it stores (a submit five or six), and a
    /// new stream, writer and buffer copy per resource were a good part of what a submit allocated.
    /// </summary>
    public static string ToStoredJson(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, StoredWriterOptions);
        try
        {
            JsonSerializer.Serialize(resource, writer);
            writer.Flush();
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            if (buffer.Capacity > MaxRetainedBufferBytes)
            {
                t_buffer = null;
                t_writer = null;
            }
            else
            {
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
            }
        }
    }

    /// <summary>Parses JSON this server stored (trusted: it passed the request checks when it was written).</summary>
    public static Resource ParseStored(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = StoredMaxDepth });
        return JsonDeserializer.DeserializeResource(ref reader);
    }
}
