using System.Net;
using System.Text.Json;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>Kicks off exports and follows them as the Bulk Data spec tells a client to (bounded in time).</summary>
public static class ExportClient
{
    public static async Task<HttpResponseMessage> KickOffAsync(HttpClient client, string url, bool async = true, bool lenient = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Accept", "application/fhir+json");
        if (async)
        {
            request.Headers.Add("Prefer", "respond-async");
        }

        if (lenient)
        {
            request.Headers.Add("Prefer", "handling=lenient");
        }

        return await client.SendAsync(request);
    }

    /// <summary>The status URL of an accepted kick-off.</summary>
    public static string Accepted(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Content.Headers.ContentLocation ?? new Uri(response.Headers.GetValues("Content-Location").First());
        Assert.True(location.IsAbsoluteUri, "Content-Location must be an absolute URL");
        return location.PathAndQuery;
    }

    public static async Task<string> StartAsync(HttpClient client, string url, bool lenient = false)
    {
        using var response = await KickOffAsync(client, url, lenient: lenient);
        return Accepted(response);
    }

    /// <summary>Polls (honouring Retry-After, at most 60 s in all) until the job completes; the manifest.</summary>
    public static async Task<JsonElement> ManifestAsync(HttpClient client, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await client.GetAsync(status);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            }

            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the export did not complete within 60 s");
            await Task.Delay(50);
        }
    }

    /// <summary>Output entries by type: (count, url).</summary>
    public static Dictionary<string, (long Count, string Url)> Outputs(JsonElement manifest, string array = "output") =>
        manifest.GetProperty(array).EnumerateArray()
            .ToDictionary(o => o.GetProperty("type").GetString()!, o => (o.GetProperty("count").GetInt64(), new Uri(o.GetProperty("url").GetString()!).PathAndQuery));

    public static async Task<List<Resource>> DownloadAsync(HttpClient client, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Accept", "application/fhir+ndjson");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/fhir+ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(FhirSerialization.ParseStored)];
    }

    /// <summary>Every exported resource of a completed job, by type.</summary>
    public static async Task<Dictionary<string, List<Resource>>> ExportAsync(HttpClient client, string url, bool lenient = false)
    {
        var manifest = await ManifestAsync(client, await StartAsync(client, url, lenient));
        var result = new Dictionary<string, List<Resource>>(StringComparer.Ordinal);
        foreach (var (type, (count, file)) in Outputs(manifest))
        {
            var resources = await DownloadAsync(client, file);
            Assert.Equal(count, resources.Count);
            Assert.All(resources, r => Assert.Equal(type, r.TypeName));
            result[type] = resources;
        }

        return result;
    }

    public static HashSet<string> Ids(Dictionary<string, List<Resource>> export, string type) =>
        export.TryGetValue(type, out var list) ? [.. list.Select(r => r.Id!)] : [];
}
