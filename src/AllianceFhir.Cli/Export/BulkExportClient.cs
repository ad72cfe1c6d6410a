using System.Net;
using System.Text.Json;
using AllianceFhir.Cli.Http;
using AllianceFhir.Cli.Progress;
using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Cli.Export;

/// <summary>What an export asks for: the kick-off parameters of Bulk Data 2.0 the CLI offers.</summary>
/// <param name="Group">Export the members of this Group (<c>Group/[id]/$export</c>); null for the whole system.</param>
public sealed record ExportRequest(IReadOnlyList<string> Types, string? Since, string? Group);

/// <summary>The files written and what the server reported.</summary>
public sealed record ExportResult(ExportManifest Manifest, IReadOnlyList<string> Files, long Resources, long Errors);

/// <summary>
/// A Bulk Data Access 2.0 client (hl7.org/fhir/uv/bulkdata/STU2/export.html): kick-off with <c>Accept:
/// application/fhir+json</c> and <c>Prefer: respond-async</c> (202 + <c>Content-Location</c>), polling the status URL
/// (202 with <c>X-Progress</c> and <c>Retry-After</c>, backing off exponentially without one; 429 waits; a 5xx whose
/// OperationOutcome says <c>transient</c> is retried), the complete status (200 + manifest), then each output,
/// deleted and error file with <c>Accept: application/fhir+ndjson</c>, the token only when <c>requiresAccessToken</c>.
/// Cancelling sends DELETE to the status URL, as the spec's delete request cancels an export. After the download the
/// files are left to the server (the spec makes that DELETE optional).
/// </summary>
public sealed class BulkExportClient(FhirServer server)
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMinutes(2);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ExportResult> RunAsync(ExportRequest export, string folder, IProgressView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(view);
        view.Report(0, null, 0, "starting");
        var status = await KickOffAsync(export, cancellationToken);
        ExportManifest manifest;
        try
        {
            manifest = await PollAsync(status, view, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await CancelAsync(status);
            throw;
        }

        Directory.CreateDirectory(folder);
        var files = new List<string>();
        var total = manifest.Outputs.All(o => o.Count is not null) ? manifest.Outputs.Sum(o => o.Count!.Value) : (long?)null;
        long resources = 0;
        foreach (var (file, subfolder) in manifest.Outputs.Select(f => (f, string.Empty))
            .Concat(manifest.Deletions.Select(f => (f, "deleted")))
            .Concat(manifest.Errors.Select(f => (f, "error"))))
        {
            var path = NextPath(Path.Combine(folder, subfolder), file.Type, files);
            var lines = await DownloadAsync(file, manifest.RequiresAccessToken, path, cancellationToken);
            files.Add(path);
            if (subfolder.Length == 0)
            {
                resources += lines;
            }

            view.Report(resources, total, 0, $"downloaded {Path.GetRelativePath(folder, path)}");
        }

        // Kept beside the files: its transactionTime is the _since of the next incremental export.
        await System.IO.File.WriteAllTextAsync(Path.Combine(folder, "manifest.json"), JsonSerializer.Serialize(manifest, Json), cancellationToken);
        view.Report(resources, resources, 0);
        var errors = manifest.Errors.Sum(e => e.Count ?? 1);
        return new ExportResult(manifest, files, resources, errors);
    }

    private async Task<Uri> KickOffAsync(ExportRequest export, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (export.Types.Count > 0)
        {
            query.Add("_type=" + Uri.EscapeDataString(string.Join(',', export.Types)));
        }

        if (export.Since is not null)
        {
            query.Add("_since=" + Uri.EscapeDataString(export.Since));
        }

        var path = (export.Group is null ? "$export" : $"Group/{Uri.EscapeDataString(export.Group)}/$export")
            + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty);
        using var request = server.Request(HttpMethod.Get, server.Url(path));
        request.Headers.Add("Prefer", "respond-async");
        using var response = await server.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await FhirServer.FailureAsync(response, "the export kick-off", cancellationToken);
        }

        return FhirServer.ContentLocation(response)
            ?? throw new ServerException("the export kick-off answered 202 without the Content-Location to poll");
    }

    private async Task<ExportManifest> PollAsync(Uri status, IProgressView view, CancellationToken cancellationToken)
    {
        var backoff = FirstPoll;
        while (true)
        {
            using var request = server.Request(HttpMethod.Get, status, "application/json");
            using var response = await server.SendAsync(request, cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
                    {
                        return await JsonSerializer.DeserializeAsync<ExportManifest>(body, Json, cancellationToken)
                            ?? throw new ServerException("the export's complete status has an empty manifest");
                    }

                case HttpStatusCode.Accepted:
                    view.Report(0, null, 0, response.Headers.TryGetValues("X-Progress", out var progress) ? progress.First() : "in progress");
                    break;
                case HttpStatusCode.TooManyRequests:
                    break;
                case >= HttpStatusCode.InternalServerError when await IsTransientAsync(response, cancellationToken):
                    break;
                default:
                    throw await FhirServer.FailureAsync(response, "the export", cancellationToken);
            }

            // Retry-After when the server gives one; otherwise back off exponentially, as the spec asks of clients.
            var wait = FhirServer.RetryAfter(response, backoff, MaxPoll);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxPoll.Ticks));
            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>A polling failure that does not fail the export: an OperationOutcome with a <c>transient</c> issue.</summary>
    private static async Task<bool> IsTransientAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return FhirSerialization.JsonDeserializer.DeserializeResource(body) is OperationOutcome outcome
                && outcome.Issue.Any(i => i.Code is OperationOutcome.IssueType.Transient or OperationOutcome.IssueType.Timeout
                    or OperationOutcome.IssueType.Incomplete or OperationOutcome.IssueType.Throttled);
        }
        catch (Exception ex) when (ex is DeserializationFailedException or Hl7.Fhir.Utility.CodedException or JsonException or FormatException)
        {
            return false;
        }
    }

    /// <summary>Streams one file to disk (never whole in memory) and counts its resources (non-empty lines).</summary>
    private async Task<long> DownloadAsync(ExportManifest.File file, bool withToken, string path, CancellationToken cancellationToken)
    {
        var url = new Uri(server.BaseUrl, file.Url);
        using var request = server.Request(HttpMethod.Get, url, FhirServer.Ndjson, withToken);
        using var response = await server.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await FhirServer.FailureAsync(response, $"the download of {url}", cancellationToken);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".part";
        long lines = 0;
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
        await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var buffer = new byte[1 << 16];
            var last = (byte)'\n';
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                last = buffer[read - 1];
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            if (last != (byte)'\n')
            {
                lines++;
            }
        }

        System.IO.File.Move(partial, path, overwrite: true);
        return lines;
    }

    /// <summary><c>Patient.ndjson</c>, then <c>Patient.2.ndjson</c>, … when a type comes in several files.</summary>
    private static string NextPath(string folder, string type, List<string> taken)
    {
        var safe = string.Concat(type.Where(char.IsAsciiLetterOrDigit));
        var path = Path.Combine(folder, safe + ".ndjson");
        for (var n = 2; taken.Contains(path); n++)
        {
            path = Path.Combine(folder, $"{safe}.{n}.ndjson");
        }

        return path;
    }

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
            // Best effort: the process is stopping either way.
        }
    }
}
