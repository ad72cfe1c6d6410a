namespace AllianceFhir.Cli.Import;

/// <summary>What the server did with one input.</summary>
/// <param name="Imported">Rows or lines stored (or found already stored, or valid in a dry run).</param>
/// <param name="Refused">Rows or lines refused; the report beside the input says why.</param>
/// <param name="Report">The error report written, or null when nothing was refused.</param>
public sealed record ImportResult(long Imported, long Refused, string? Report);
