using System.Net;
using AllianceFhir.Core.Import;

namespace AllianceFhir.Api.Import;

/// <summary>
/// Opens import inputs: a spooled upload from its file, a URL with the named HttpClient (response streamed, never
/// buffered). A resumed URL input is fetched again and the bytes already imported are skipped.
/// </summary>
public sealed class ImportSourceOpener(IHttpClientFactory clients) : IImportSourceOpener
{
    public const string ClientName = "import";

    public async Task<Stream> OpenAsync(ImportInput input, long byteOffset, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.SpoolFile is { } file)
        {
            if (!File.Exists(file))
            {
                throw new ImportSourceException("The uploaded file is no longer in the import folder");
            }

            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            stream.Seek(byteOffset, SeekOrigin.Begin);
            return stream;
        }

        var client = clients.CreateClient(ClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(input.Url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ImportSourceException($"Input {input.Url} could not be fetched ({ex.HttpRequestError})", ex);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            response.Dispose();
            throw new ImportSourceException($"Input {input.Url} answered HTTP {(int)response.StatusCode}");
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await SkipAsync(body, byteOffset, cancellationToken);
        return body;
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0)
            {
                throw new ImportSourceException("The input is shorter than what was already imported from it; it changed since");
            }

            count -= read;
        }
    }
}
