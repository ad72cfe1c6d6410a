namespace AllianceFhir.Spreadsheets;

/// <summary>What reading and checking a sheet depends on besides the sheet (the server takes them from <c>Import:*</c>).</summary>
/// <param name="DefaultPatientIdentifierSystem">The identifier system of <c>patient</c> when a row names none.</param>
/// <param name="ClinicTimeZone">The IANA zone of a row's time when the row names none.</param>
/// <param name="MaxRows">More data rows than this: the file is refused (413).</param>
public sealed record SpreadsheetSettings(string? DefaultPatientIdentifierSystem, string ClinicTimeZone, int MaxRows);
