using System.Text.Json.Serialization;

namespace AllianceFhir.Cli.Export;

/// <summary>
/// The complete-status body of a Bulk Data 2.0 export (export.html, "Response - Complete Status"): the files of each
/// type, the files of deleted resources (for <c>_since</c>), and the OperationOutcome files of errors.
/// </summary>
public sealed record ExportManifest(
    [property: JsonPropertyName("transactionTime")] string? TransactionTime,
    [property: JsonPropertyName("request")] string? Request,
    [property: JsonPropertyName("requiresAccessToken")] bool RequiresAccessToken,
    [property: JsonPropertyName("output")] IReadOnlyList<ExportManifest.File>? Output,
    [property: JsonPropertyName("deleted")] IReadOnlyList<ExportManifest.File>? Deleted,
    [property: JsonPropertyName("error")] IReadOnlyList<ExportManifest.File>? Error)
{
    /// <param name="Count">Optional in the spec: the number of resources in the file.</param>
    public sealed record File(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("count")] long? Count);

    public IReadOnlyList<File> Outputs => Output ?? [];

    public IReadOnlyList<File> Deletions => Deleted ?? [];

    public IReadOnlyList<File> Errors => Error ?? [];
}
