using System.Net.Http.Headers;
using System.Text;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Infrastructure;

/// <summary>Small helpers for FHIR requests and responses in tests.</summary>
public static class FhirHttp
{
    public const string Json = "application/fhir+json";
    public const string Xml = "application/fhir+xml";

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, Json);

    public static StringContent JsonBody(Resource resource) =>
        JsonBody(FhirSerialization.JsonSerializer.SerializeToString(resource));

    public static async Task<T> ReadAsAsync<T>(this HttpResponseMessage response)
        where T : Resource
    {
        var text = await response.Content.ReadAsStringAsync();
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var resource = mediaType == Xml
            ? FhirSerialization.XmlDeserializer.DeserializeResource(text)
            : FhirSerialization.JsonDeserializer.DeserializeResource(text);
        return Assert.IsAssignableFrom<T>(resource);
    }

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient client, string url, Resource resource) =>
        await client.PostAsync(url, JsonBody(resource));

    public static async Task<HttpResponseMessage> PutAsync(this HttpClient client, string url, Resource resource, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonBody(resource) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request);
    }

    public static string? ETag(this HttpResponseMessage response) => response.Headers.ETag?.ToString();

    public static MediaTypeWithQualityHeaderValue Accept(string mediaType) => new(mediaType);
}
