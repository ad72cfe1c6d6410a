using System.Globalization;
using System.Net.Http.Headers;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Cli.Http;

/// <summary>
/// One FHIR server as the CLI talks to it: the base URL (with or without a trailing slash), an optional bearer token,
/// and the reading of error answers (an OperationOutcome's diagnostics) into one readable sentence.
/// </summary>
public sealed class FhirServer : IDisposable
{
    public const string FhirJson = "application/fhir+json";
    public const string Ndjson = "application/fhir+ndjson";

    private readonly string? _token;

    public FhirServer(Uri baseUrl, string? token, HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        BaseUrl = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/");
        _token = token;
        // Jobs poll for as long as they run; each request has its own cancellation instead of a client-wide timeout.
        Client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        Client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("alliancefhir-cli", "1.0"));
    }

    public Uri BaseUrl { get; }

    public HttpClient Client { get; }

    /// <summary>A URL under the base: <c>$import</c>, <c>QuestionnaireResponse/$import-spreadsheet?dryRun=true</c>, …</summary>
    public Uri Url(string relative) => new(BaseUrl, relative);

    /// <summary>A request to the server, with the token when there is one.</summary>
    public HttpRequestMessage Request(HttpMethod method, Uri url, string accept = FhirJson)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.ParseAdd(accept);
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        return request;
    }

    /// <summary>A request to a URL that may lie elsewhere (a Bulk Data output file): the token goes only where asked.</summary>
    public HttpRequestMessage Request(HttpMethod method, Uri url, string accept, bool withToken)
    {
        var request = Request(method, url, accept);
        if (!withToken)
        {
            request.Headers.Authorization = null;
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ServerException($"cannot reach {request.RequestUri}: {ex.Message}", ex);
        }
    }

    /// <summary>The server's reason for a failed answer: its OperationOutcome's diagnostics, else the status line.</summary>
    public static async Task<ServerException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var reason = OutcomeText(body);
        return new ServerException(reason is null ? $"{what}: the server answered {status}" : $"{what}: the server answered {status}: {reason}");
    }

    /// <summary>The issues of an OperationOutcome as one line, or null when the text is not one.</summary>
    public static string? OutcomeText(string body)
    {
        try
        {
            if (FhirSerialization.JsonDeserializer.DeserializeResource(body) is OperationOutcome outcome)
            {
                return string.Join("; ", outcome.Issue.Select(i => i.Diagnostics ?? i.Details?.Text ?? i.Code?.ToString()).Where(t => t is not null));
            }
        }
        catch (Exception ex) when (ex is DeserializationFailedException or Hl7.Fhir.Utility.CodedException or System.Text.Json.JsonException or FormatException)
        {
            // Not FHIR (a proxy's HTML page): the status line says enough.
        }

        return null;
    }

    /// <summary>How long Retry-After asks to wait (seconds or an HTTP date), within [min, max]; the fallback without one.</summary>
    public static TimeSpan RetryAfter(HttpResponseMessage response, TimeSpan fallback, TimeSpan max)
    {
        ArgumentNullException.ThrowIfNull(response);
        var wait = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => fallback,
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > max ? max : wait;
    }

    /// <summary>The Content-Location of a 202, resolved against the request (it should be absolute).</summary>
    public static Uri? ContentLocation(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var location = response.Content.Headers.ContentLocation
            ?? (response.Headers.TryGetValues("Content-Location", out var values) ? new Uri(values.First(), UriKind.RelativeOrAbsolute) : null);
        return location is null ? null : location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
    }

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public void Dispose() => Client.Dispose();
}
