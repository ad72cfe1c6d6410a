namespace AllianceFhir.Spreadsheets;

/// <summary>
/// One data row as text, keyed by its column header (trimmed, case-insensitive). <see cref="Number"/> is the row's
/// number as a spreadsheet program shows it: the header is row 1, so the first data row is row 2.
/// </summary>
public sealed record SpreadsheetRow(int Number, IReadOnlyDictionary<string, string> Cells)
{
    /// <summary>The trimmed cell text, or null when the column is absent or the cell empty.</summary>
    public string? this[string column] =>
        Cells.TryGetValue(column, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}

/// <summary>The column names of the row format (docs/spreadsheet-import.md); answer columns are the items' linkIds.</summary>
public static class ImportColumns
{
    public const string PatientSystem = "patient_system";
    public const string Patient = "patient";
    public const string Date = "date";
    public const string Time = "time";
    public const string TimeZone = "timezone";
    public const string Instrument = "instrument";
    public const string Practitioner = "practitioner";
    public const string Encounter = "encounter";
    public const string Session = "session";
    public const string Episode = "episode";

    /// <summary>Every row field; other columns are answers.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(
        [PatientSystem, Patient, Date, Time, TimeZone, Instrument, Practitioner, Encounter, Session, Episode], StringComparer.OrdinalIgnoreCase);

    /// <summary>Columns every file must have, whatever its rows hold.</summary>
    public static readonly IReadOnlyList<string> Required = [Patient, Date, Instrument];
}
