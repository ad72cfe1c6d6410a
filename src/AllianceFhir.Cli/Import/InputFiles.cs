namespace AllianceFhir.Cli.Import;

/// <summary>The kinds of input the CLI knows, by file extension.</summary>
public enum InputKind
{
    Ndjson,
    Csv,
    Xlsx,
}

/// <summary>The files a command works on: the file named, or the inputs in a folder (not its subfolders), by name.</summary>
public static class InputFiles
{
    public static InputKind? KindOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".ndjson" or ".jsonl" => InputKind.Ndjson,
        ".csv" => InputKind.Csv,
        ".xlsx" => InputKind.Xlsx,
        _ => null,
    };

    /// <summary>
    /// Error reports the CLI wrote (<c>x.csv.errors.csv</c>) are not inputs. Files in a folder are taken in ordinal name
    /// order, so a clinic can number them (<c>1-patients.ndjson</c>, <c>2-responses.ndjson</c>) when some refer to others.
    /// </summary>
    public static IReadOnlyList<string> Find(string path)
    {
        if (File.Exists(path))
        {
            return KindOf(path) is null
                ? throw new ArgumentException($"{path}: not an input the tool knows (.ndjson, .csv or .xlsx)")
                : [path];
        }

        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path)
                .Where(f => KindOf(f) is not null && !ErrorReport.IsReport(f))
                .Order(StringComparer.Ordinal)
                .ToList();
            return files.Count > 0 ? files : throw new ArgumentException($"{path}: the folder holds no .ndjson, .csv or .xlsx file");
        }

        throw new ArgumentException($"{path}: no such file or folder");
    }
}

/// <summary>Where the refused rows or lines of an input are written: beside it, named after it.</summary>
public static class ErrorReport
{
    public const string NdjsonSuffix = ".errors.ndjson";
    public const string CsvSuffix = ".errors.csv";

    public static string For(string input, InputKind kind) => input + (kind == InputKind.Ndjson ? NdjsonSuffix : CsvSuffix);

    public static bool IsReport(string path) =>
        path.EndsWith(NdjsonSuffix, StringComparison.OrdinalIgnoreCase) || path.EndsWith(CsvSuffix, StringComparison.OrdinalIgnoreCase);
}
