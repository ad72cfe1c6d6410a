using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace AllianceFhir.Api.Http;

/// <summary>
/// HEAD under /fhir: answered by the GET endpoint, with the same status and headers (ETag, Last-Modified, Content-Type)
/// and no content. RFC 9110 §9.1 has every general-purpose server support HEAD, and §9.3.2 makes it GET without the
/// content; FHIR clients use it to check an ETag or existence cheaply. Runs before routing, so the GET endpoint, the
/// access check (a HEAD needs what the GET needs) and the audit see the request as the GET it stands for.
/// </summary>
public static class HeadRequests
{
    public static WebApplication UseHeadAsGet(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (!HttpMethods.IsHead(http.Request.Method) || !http.Request.Path.StartsWithSegments(FhirUrls.BasePath, StringComparison.OrdinalIgnoreCase))
            {
                await next(http);
                return;
            }

            var body = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
            http.Features.Set<IHttpResponseBodyFeature>(new DiscardedBody(body));
            http.Request.Method = HttpMethods.Get;
            try
            {
                await next(http);
            }
            finally
            {
                http.Request.Method = HttpMethods.Head;
                http.Features.Set(body);
            }
        });
        return app;
    }

    /// <summary>Headers go out as for GET; whatever the endpoint writes as content is dropped.</summary>
    private sealed class DiscardedBody(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
    {
        public Stream Stream => Stream.Null;

        public PipeWriter Writer { get; } = PipeWriter.Create(Stream.Null);

        public void DisableBuffering() => inner.DisableBuffering();

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task CompleteAsync() => inner.CompleteAsync();
    }
}
