using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using AllianceFhir.Cli.Http;
using AllianceFhir.Cli.Progress;

namespace AllianceFhir.Cli.Import;

/// <summary>
/// One NDJSON file through the server's asynchronous <c>$import</c>: upload with <c>Prefer: respond-async</c>, poll the
/// <c>Content-Location</c> (honouring <c>Retry-After</c>, showing <c>X-Progress</c>), then fetch the OperationOutcomes of
/// the refused lines into <c>&lt;input&gt;.errors.ndjson</c>. Cancelling (Ctrl+C) cancels the job on the server too.
/// </summary>
public sealed partial class NdjsonImport(FhirServer server)
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ImportResult> RunAsync(string path, IProgressView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var name = Path.GetFileName(path);
        var total = await CountLinesAsync(path, cancellationToken);
        view.Report(0, total, 0, "uploading");
        var status = await UploadAsync(path, name, cancellationToken);
        Manifest manifest;
        try
        {
            manifest = await PollAsync(status, name, total, view, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await CancelAsync(status);
            throw;
        }

        var imported = manifest.Outputs.Sum(o => o.Count);
        var refused = manifest.Errors.Sum(e => e.Count);
        view.Report(Math.Max(total, imported + refused), total, refused);
        var report = ErrorReport.For(path, InputKind.Ndjson);
        if (refused == 0)
        {
            // A report left by an earlier run of the same file would tell of refusals that no longer happen.
            File.Delete(report);
            return new ImportResult(imported, 0, null);
        }

        await DownloadErrorsAsync(manifest, report, name, cancellationToken);
        return new ImportResult(imported, refused, report);
    }

    /// <summary>Lines as the server counts them: every newline-terminated line, and a last one without a newline.</summary>
    private static async Task<long> CountLinesAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long lines = 0;
        var last = (byte)'\n';
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }

        return last == (byte)'\n' ? lines : lines + 1;
    }

    private async Task<Uri> UploadAsync(string path, string name, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        using var request = server.Request(HttpMethod.Post, server.Url("$import"));
        request.Headers.Add("Prefer", "respond-async");
        request.Content = new StreamContent(file, 1 << 16);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(FhirServer.Ndjson);
        using var response = await server.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await FhirServer.FailureAsync(response, $"{name}: the upload to $import", cancellationToken);
        }

        return FhirServer.ContentLocation(response)
            ?? throw new ServerException($"{name}: $import answered 202 without the Content-Location to poll");
    }

    private async Task<Manifest> PollAsync(Uri status, string name, long total, IProgressView view, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var request = server.Request(HttpMethod.Get, status);
            using var response = await server.SendAsync(request, cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
                    {
                        return await JsonSerializer.DeserializeAsync<Manifest>(body, Json, cancellationToken)
                            ?? throw new ServerException($"{name}: the import result is empty");
                    }

                case HttpStatusCode.Accepted:
                    if (response.Headers.TryGetValues("X-Progress", out var values) && ProgressPattern().Match(values.First()) is { Success: true } match)
                    {
                        view.Report(
                            long.Parse(match.Groups["done"].Value, CultureInfo.InvariantCulture),
                            total,
                            long.Parse(match.Groups["refused"].Value, CultureInfo.InvariantCulture));
                    }

                    break;
                case HttpStatusCode.TooManyRequests:
                    break;
                default:
                    throw await FhirServer.FailureAsync(response, $"{name}: the import job", cancellationToken);
            }

            await Task.Delay(FhirServer.RetryAfter(response, DefaultPoll, MaxPoll), cancellationToken);
        }
    }

    private async Task DownloadErrorsAsync(Manifest manifest, string report, string name, CancellationToken cancellationToken)
    {
        var partial = report + ".part";
        await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            foreach (var error in manifest.Errors)
            {
                using var request = server.Request(HttpMethod.Get, new Uri(server.BaseUrl, error.Url), FhirServer.Ndjson);
                using var response = await server.SendAsync(request, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw await FhirServer.FailureAsync(response, $"{name}: the report of refused lines", cancellationToken);
                }

                await response.Content.CopyToAsync(output, cancellationToken);
            }
        }

        File.Move(partial, report, overwrite: true);
    }

    /// <summary>DELETE on the status URL cancels the job (what it committed stays), so Ctrl+C leaves nothing running.</summary>
    private async Task CancelAsync(Uri status)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            using var request = server.Request(HttpMethod.Delete, status);
            using var _ = await server.SendAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is ServerException or OperationCanceledException)
        {
            // Best effort: the process is stopping either way; the server's job then runs to its end.
        }
    }

    // The server's X-Progress: "input 1 of 1; 41500 lines processed, 3 refused".
    [GeneratedRegex(@"(?<done>\d+) lines processed, (?<refused>\d+) refused")]
    private static partial Regex ProgressPattern();

    /// <summary>The parts of the result manifest the CLI reads (README, "NDJSON ($import)").</summary>
    private sealed record Manifest(IReadOnlyList<Output>? Output, IReadOnlyList<ErrorFile>? Error)
    {
        public IReadOnlyList<Output> Outputs => Output ?? [];

        public IReadOnlyList<ErrorFile> Errors => Error ?? [];
    }

    private sealed record Output(string? Type, long Count);

    private sealed record ErrorFile(long Count, string Url);
}
