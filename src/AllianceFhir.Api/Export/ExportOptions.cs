namespace AllianceFhir.Api.Export;

/// <summary>Settings of Bulk Data <c>$export</c> (section <c>Export</c>).</summary>
public sealed class ExportOptions
{
    public const string SectionName = "Export";

    /// <summary>Where the NDJSON files are written, relative to the content root unless absolute.</summary>
    public string Folder { get; set; } = "data/exports";

    /// <summary>How long a finished export's files are kept (and its status answered) before they are deleted.</summary>
    public int RetentionSeconds { get; set; } = 24 * 60 * 60;

    /// <summary>
    /// Resources per page: read in one statement, written, flushed to disk and checkpointed together. Rows are streamed,
    /// so memory does not depend on it; larger pages fsync and checkpoint less often but hold a WAL snapshot for longer.
    /// </summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>A job whose worker made no checkpoint for this long (a crash) is resumed by the next worker that looks.</summary>
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>How often an idle worker looks for queued, abandoned or expired jobs.</summary>
    public int PollMilliseconds { get; set; } = 1000;
}
