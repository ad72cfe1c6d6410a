using System.Text.Json.Serialization;
using AllianceFhir.Core.Export;

namespace AllianceFhir.Api.Export;

/// <summary>The Bulk Data 2.0 complete-status body (the manifest).</summary>
public sealed record ExportManifest(
    [property: JsonPropertyName("transactionTime")] DateTimeOffset TransactionTime,
    [property: JsonPropertyName("request")] string Request,
    [property: JsonPropertyName("requiresAccessToken")] bool RequiresAccessToken,
    [property: JsonPropertyName("output")] IReadOnlyList<ExportManifest.File> Output,
    [property: JsonPropertyName("error")] IReadOnlyList<ExportManifest.File> Error)
{
    public sealed record File(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("count")] long Count);

    /// <summary>One output file per type that has resources; the error file when the job reported anything.</summary>
    public static ExportManifest Of(ExportJob job, string statusUrl, bool requiresAccessToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var output = job.Request.Types
            .Select((type, i) => new File(type, $"{statusUrl}/files/{type}.ndjson", job.Progress.Counts[i]))
            .Where(f => f.Count > 0)
            .ToList();
        IReadOnlyList<File> error = job.ErrorCount > 0
            ? [new File("OperationOutcome", $"{statusUrl}/files/{ExportFolder.ErrorFileName}", job.ErrorCount)]
            : [];

        // Bulk Data: an instant, as the server's clock gave it (milliseconds, as meta.lastUpdated).
        return new ExportManifest(job.Request.TransactionTime, job.Request.RequestUrl, requiresAccessToken, output, error);
    }
}
