using System.Text.Json.Serialization;
using AllianceFhir.Core.Import;

namespace AllianceFhir.Api.Import;

/// <summary>
/// The result of a finished import, shaped as the Bulk Data export manifest (and the import result of Microsoft's FHIR
/// server): per input one <c>output</c> entry with the count of lines imported, and, where lines were refused, one
/// <c>error</c> entry linking to the NDJSON of their OperationOutcomes.
/// </summary>
public sealed record ImportManifest(
    DateTimeOffset TransactionTime,
    string Request,
    bool RequiresAccessToken,
    IReadOnlyList<ImportManifest.Output> Outputs,
    IReadOnlyList<ImportManifest.ErrorFile> Errors)
{
    /// <summary>
    /// <paramref name="Count"/>: lines whose resource is now stored as given, new versions and unchanged ones alike;
    /// <see cref="OutputExtension.Unchanged"/> says how many of them were already stored with the same content.
    /// </summary>
    public sealed record Output(string? Type, string InputUrl, long Count, OutputExtension Extension);

    public sealed record OutputExtension(long Unchanged);

    public sealed record ErrorFile(string Type, string InputUrl, long Count, string Url);

    [JsonPropertyName("output")]
    public IReadOnlyList<Output> Outputs { get; init; } = Outputs;

    [JsonPropertyName("error")]
    public IReadOnlyList<ErrorFile> Errors { get; init; } = Errors;

    public static ImportManifest Of(ImportJob job, string baseUrl, string statusUrl)
    {
        ArgumentNullException.ThrowIfNull(job);
        var outputs = new List<Output>();
        var errors = new List<ErrorFile>();
        for (var i = 0; i < job.Inputs.Count; i++)
        {
            var input = job.Inputs[i];
            var counts = job.Progress.Inputs[i];
            outputs.Add(new Output(input.Type, input.Name, counts.Imported + counts.Unchanged, new OutputExtension(counts.Unchanged)));
            if (counts.Refused > 0)
            {
                errors.Add(new ErrorFile("OperationOutcome", input.Name, counts.Refused, $"{statusUrl}/errors/{i}"));
            }
        }

        return new ImportManifest(job.FinishedAt ?? job.CreatedAt, $"{baseUrl}/$import", !job.Requester.IsDevelopmentUser, outputs, errors);
    }
}
