using System.Net;
using System.Text;
using System.Text.Json;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Api.Tests.Import;

/// <summary>Starts $import jobs and polls them as a Bulk Data client does (bounded in time).</summary>
public static class ImportClient
{
    public static string Ndjson(params Resource[] resources) =>
        string.Join('\n', resources.Select(r => FhirSerialization.JsonSerializer.SerializeToString(r))) + "\n";

    public static Parameters Inputs(params (string Url, string? Type)[] inputs)
    {
        var parameters = new Parameters();
        parameters.Add("inputFormat", new Code(ImportNdjson));
        foreach (var (url, type) in inputs)
        {
            var input = new Parameters.ParameterComponent { Name = "input" };
            input.Part.Add(new Parameters.ParameterComponent { Name = "url", Value = new FhirUri(url) });
            if (type is not null)
            {
                input.Part.Add(new Parameters.ParameterComponent { Name = "type", Value = new Code(type) });
            }

            parameters.Parameter.Add(input);
        }

        return parameters;
    }

    public const string ImportNdjson = "application/fhir+ndjson";

    public static async Task<HttpResponseMessage> StartAsync(HttpClient client, Parameters parameters)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/$import") { Content = FhirHttp.JsonBody(parameters) };
        request.Headers.Add("Prefer", "respond-async");
        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string ndjson, string? type = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/$import" + (type is null ? string.Empty : $"?type={type}"))
        {
            Content = new StringContent(ndjson, Encoding.UTF8, ImportNdjson),
        };
        request.Headers.Add("Prefer", "respond-async");
        return await client.SendAsync(request);
    }

    /// <summary>The status URL of an accepted job.</summary>
    public static string Accepted(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return Assert.IsType<Uri>(response.Content.Headers.ContentLocation ?? response.Headers.GetValues("Content-Location").Select(v => new Uri(v)).First()).PathAndQuery;
    }

    /// <summary>Polls until the job answers something other than 202 (at most a minute); returns that response.</summary>
    public static async Task<HttpResponseMessage> WaitAsync(HttpClient client, string statusUrl)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await client.GetAsync(statusUrl);
            if (response.StatusCode != HttpStatusCode.Accepted || DateTime.UtcNow > deadline)
            {
                return response;
            }

            Assert.True(response.Headers.Contains("X-Progress"), "a running job reports X-Progress");
            response.Dispose();
            await System.Threading.Tasks.Task.Delay(100);
        }
    }

    public static async Task<JsonElement> ManifestAsync(HttpClient client, string statusUrl)
    {
        using var response = await WaitAsync(client, statusUrl);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"status answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static long Count(JsonElement manifest, int input) => manifest.GetProperty("output")[input].GetProperty("count").GetInt64();

    public static async Task<int> TotalAsync(HttpClient client, string search)
    {
        var bundle = await (await client.GetAsync($"/fhir/{search}{(search.Contains('?') ? "&" : "?")}_summary=count")).ReadAsAsync<Bundle>();
        return bundle.Total ?? -1;
    }
}
