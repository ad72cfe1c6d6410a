using System.Globalization;
using System.Net;
using AllianceFhir.Core.Errors;
using CsvHelper;
using Hl7.Fhir.Model;
using MiniExcelLibs;

namespace AllianceFhir.Spreadsheets;

/// <summary>The two kinds of sheet the format comes in.</summary>
public enum SpreadsheetFormat
{
    Csv,
    Xlsx,
}

/// <summary>
/// Reads a sheet into rows: CSV with CsvHelper, .xlsx with MiniExcel. MiniExcel was chosen over the Open XML SDK (which
/// needs shared strings, styles and cell references resolved by hand) and ExcelDataReader (last released in 2021): it is
/// maintained, reads the sheet row by row from the zip without loading the workbook, and can also write .xlsx, which
/// the tests and the sample generator use. An unreadable file or header is a 400 <see cref="FhirOperationException"/>,
/// too many rows a 413, as the server answers them.
/// </summary>
public static class SpreadsheetReader
{
    public const string CsvMediaType = "text/csv";
    public const string XlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <param name="stream">For .xlsx it must be seekable (a zip is read from its end).</param>
    public static IReadOnlyList<SpreadsheetRow> Read(Stream stream, SpreadsheetFormat format, SpreadsheetSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var table = format == SpreadsheetFormat.Csv ? ReadCsv(stream, settings) : ReadXlsx(stream, settings);
        return ToRows(table, settings);
    }

    private static List<string[]> ReadCsv(Stream stream, SpreadsheetSettings settings)
    {
        // The separator is detected (',' or ';' as Excel writes in locales with a decimal comma, or tab); the header is
        // read as a row like any other. Cell values stay out of exception messages: they are patient data.
        var options = CsvReaderOptions.Default with
        {
            HasHeader = false,
            TrimWhitespace = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MalformedData = CsvMalformedDataHandling.Throw,
            MaxRecordSize = 1024 * 1024,
            IncludeValuesInExceptions = false,
        };
        var table = new List<string[]>();
        try
        {
            using var csv = CsvReader.Create(stream, options, true);
            while (csv.Read())
            {
                Bound(table, settings);
                table.Add(csv.Current.ToArray());
            }
        }
        catch (CsvFormatException ex)
        {
            throw FhirOperationException.Of(HttpStatusCode.BadRequest, OperationOutcome.IssueType.Structure,
                $"The CSV cannot be read at row {ex.RecordNumber}: {ex.Message}");
        }

        return table;
    }

    private static List<string[]> ReadXlsx(Stream stream, SpreadsheetSettings settings)
    {
        var table = new List<string[]>();
        try
        {
            // The first sheet; columns are keyed A, B, … so headers are read as a row like any other.
            foreach (IDictionary<string, object?> row in MiniExcel.Query(stream, useHeaderRow: false, excelType: ExcelType.XLSX))
            {
                Bound(table, settings);
                table.Add([.. row.Values.Select(CellText)]);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or InvalidOperationException or System.Xml.XmlException or NotSupportedException)
        {
            throw FhirOperationException.Of(HttpStatusCode.BadRequest, OperationOutcome.IssueType.Structure,
                $"The body is not a readable .xlsx workbook ({ex.GetType().Name})");
        }

        return table;
    }

    /// <summary>Typed cells back to the text a person would type: dates as ISO 8601, numbers without a locale.</summary>
    private static string CellText(object? value) => value switch
    {
        null => string.Empty,
        DateTime { TimeOfDay.Ticks: 0 } date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        // Excel keeps a time of day without a date as a fraction of the day counted from 1899-12-30 or -31.
        DateTime { Year: 1899 } time => time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        DateTime dateTime => dateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        decimal number => number.ToString(CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static void Bound(List<string[]> table, SpreadsheetSettings settings)
    {
        if (table.Count > settings.MaxRows)
        {
            throw FhirOperationException.Of(HttpStatusCode.RequestEntityTooLarge, OperationOutcome.IssueType.TooCostly,
                $"The file has more than {settings.MaxRows} data rows (Import:MaxSpreadsheetRows); split it into several files");
        }
    }

    private static List<SpreadsheetRow> ToRows(List<string[]> table, SpreadsheetSettings settings)
    {
        var headerIndex = table.FindIndex(r => r.Any(c => !string.IsNullOrWhiteSpace(c)));
        if (headerIndex < 0)
        {
            throw FhirOperationException.BadRequest("The file has no header row");
        }

        var headers = table[headerIndex].Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var duplicate = headers.Where(h => h.Length > 0).GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw FhirOperationException.BadRequest($"The header names the column '{duplicate.Key}' twice");
        }

        var missing = ImportColumns.Required.Where(c => !headers.Contains(c)).ToList();
        if (settings.DefaultPatientIdentifierSystem is null && !headers.Contains(ImportColumns.PatientSystem))
        {
            missing.Insert(0, ImportColumns.PatientSystem);
        }

        if (missing.Count > 0)
        {
            throw FhirOperationException.BadRequest(
                $"The header lacks the column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}; see docs/spreadsheet-import.md");
        }

        var rows = new List<SpreadsheetRow>();
        for (var i = headerIndex + 1; i < table.Count; i++)
        {
            var record = table[i];
            if (record.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            var cells = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var c = 0; c < headers.Length && c < record.Length; c++)
            {
                if (headers[c].Length > 0)
                {
                    cells[headers[c]] = record[c];
                }
            }

            rows.Add(new SpreadsheetRow(i + 1, cells));
        }

        return rows;
    }
}
