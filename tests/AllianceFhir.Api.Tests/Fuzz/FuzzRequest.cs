using System.Net.Http.Headers;
using System.Text;

namespace AllianceFhir.Api.Tests.Fuzz;

/// <summary>One generated request: what the fuzz test sends, and what it prints when a request breaks the server.</summary>
public sealed record FuzzRequest(
    string Method,
    string Url,
    byte[]? Body,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public bool IsWrite => Method is "POST" or "PUT" or "DELETE" or "PATCH";

    /// <summary>Whether the path (not the query) holds NUL, raw or as <c>%00</c>, which the HTTP server refuses before the app.</summary>
    public bool PathHasNul => Url.Split('?')[0] is var path && (path.Contains('\0', StringComparison.Ordinal) || path.Contains("%00", StringComparison.Ordinal));

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Url);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    /// <summary>A failure report short enough to read, but with enough of the body to reproduce the case.</summary>
    public override string ToString()
    {
        var body = Body is null ? "(none)" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 600));
        var headers = string.Join("; ", Headers.Select(h => $"{h.Key}: {h.Value}"));
        return $"{Method} {Url} [{ContentType}] [{headers}] ({Body?.Length ?? 0} bytes) {body}";
    }

    public static MediaTypeHeaderValue? ParseContentType(string? value) =>
        MediaTypeHeaderValue.TryParse(value, out var parsed) ? parsed : null;
}
