namespace AllianceFhir.Core.References;

/// <summary>
/// This server's FHIR service base URL, as the references a request writes or searches with may spell it: a reference
/// that is an absolute URL under it (<c>http://host/fhir/Patient/p1</c>) names the same resource as the relative
/// <c>Patient/p1</c>, so indexing, search values, referential integrity and patient compartments treat it as local.
/// </summary>
/// <remarks>
/// The stored resource keeps the reference as the client wrote it: R4 http.html asks a server to "accept the resource as
/// submitted ... and return the same content when it is subsequently read", and only the index, which is ours, holds the
/// relative form. R4 search.html (reference parameters) makes the two forms match each other: "A relative reference
/// resolving to the same value as a specified absolute URL, or vice versa, qualifies as a match". The host decides the
/// base once per request (<c>Fhir:PublicBaseUrl</c> when configured, otherwise the request's own base); work outside a
/// request knows only the configured one. References to any other base stay external.
/// </remarks>
public sealed class ServiceBase
{
    private readonly string? _url;

    // Parsed on first use: most requests that build one never meet an absolute reference.
    private Uri? _uri;

    private ServiceBase(string? url)
    {
        _url = url;
    }

    /// <summary>No base known: only relative references are local.</summary>
    public static ServiceBase None { get; } = new(null);

    /// <summary>The base URL as given, without a trailing slash; null for <see cref="None"/>.</summary>
    public string? Url => _url;

    /// <summary>The base at this URL; <see cref="None"/> for null or empty. One that is no absolute http(s) URL matches nothing.</summary>
    public static ServiceBase Of(string? url) => string.IsNullOrEmpty(url) ? None : new ServiceBase(url.TrimEnd('/'));

    private Uri? Parsed =>
        _uri ??= _url is not null
            && Uri.TryCreate(_url + "/", UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Query.Length == 0 && uri.Fragment.Length == 0
                ? uri
                : null;

    /// <summary>
    /// The part of <paramref name="reference"/> under this base (<c>Patient/p1</c>, <c>Patient/p1/_history/2</c>) when it
    /// is an absolute URL here, else null. Scheme and host compare without case and a default port equals no port, as URLs
    /// do; the base path too, as this server's routes do. A query or fragment makes it no plain reference.
    /// </summary>
    public string? Localize(string reference)
    {
        if (_url is null || string.IsNullOrEmpty(reference) || !reference.Contains("://", StringComparison.Ordinal)
            || Parsed is not { } own
            || !Uri.TryCreate(reference, UriKind.Absolute, out var uri)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || !string.Equals(uri.Scheme, own.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Host, own.Host, StringComparison.OrdinalIgnoreCase)
            || uri.Port != own.Port)
        {
            return null;
        }

        var basePath = own.AbsolutePath;
        var path = uri.AbsolutePath;
        return path.Length > basePath.Length && path.StartsWith(basePath, StringComparison.OrdinalIgnoreCase)
            ? path[basePath.Length..]
            : null;
    }

    public override string ToString() => Url ?? "(none)";
}
