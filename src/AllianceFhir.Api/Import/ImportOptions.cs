using AllianceFhir.Spreadsheets;

namespace AllianceFhir.Api.Import;

/// <summary>Settings of <c>$import</c> (section <c>Import</c>).</summary>
public sealed class ImportOptions
{
    public const string SectionName = "Import";

    /// <summary>Where uploads are spooled and refused lines reported, relative to the content root unless absolute.</summary>
    public string Folder { get; set; } = "data/imports";

    /// <summary>Imported resources (each with what its hooks derive) per database transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>A longer NDJSON line is refused unread (the REST body limit by default).</summary>
    public int MaxLineBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The largest upload accepted (<c>Content-Type: application/fhir+ndjson</c>); it is spooled to disk, never held in memory.</summary>
    public long MaxUploadBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>A job whose worker made no checkpoint for this long (a crash) is resumed by the next worker that looks.</summary>
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>How often an idle worker looks for queued or abandoned jobs.</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>
    /// URL prefixes inputs may be fetched from (e.g. <c>https://files.clinic.example.org/exports/</c>). Empty: no URL
    /// inputs at all, only uploads, so the server cannot be made to fetch from arbitrary addresses.
    /// </summary>
    public List<string> AllowedUrlPrefixes { get; set; } = [];

    /// <summary>The identifier system of a spreadsheet's <c>patient</c> column when a row has no <c>patient_system</c>.</summary>
    public string? DefaultPatientIdentifierSystem { get; set; }

    /// <summary>The IANA zone of a spreadsheet row's time when the row names no <c>timezone</c>.</summary>
    public string ClinicTimeZone { get; set; } = "UTC";

    /// <summary>
    /// The largest spreadsheet accepted (413 above it). Far below <see cref="MaxUploadBytes"/>: a spreadsheet is read
    /// and checked whole before anything is written, an NDJSON upload is streamed to disk.
    /// </summary>
    public long MaxSpreadsheetBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Spreadsheets with more data rows are refused with 413: the report holds a part per row.</summary>
    public int MaxSpreadsheetRows { get; set; } = 10_000;

    /// <summary>The settings above that reading and checking a sheet needs.</summary>
    public SpreadsheetSettings Spreadsheet => new(DefaultPatientIdentifierSystem, ClinicTimeZone, MaxSpreadsheetRows);
}
