using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AllianceFhir.Cli.Http;
using AllianceFhir.Cli.Progress;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Spreadsheets;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Cli.Import;

/// <summary>
/// One CSV or .xlsx sheet through <c>QuestionnaireResponse/$import-spreadsheet</c> (docs/spreadsheet-import.md). The
/// server checks and stores the whole sheet in one request and answers a Parameters report; the refused rows go to
/// <c>&lt;input&gt;.errors.csv</c> (row, column, message), the sentences the report's OperationOutcome gives.
/// </summary>
public sealed class SpreadsheetImport(FhirServer server, bool dryRun)
{
    public async Task<ImportResult> RunAsync(string path, InputKind kind, IProgressView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var name = Path.GetFileName(path);
        view.Report(0, null, 0, dryRun ? "checking (dry run)" : "importing");
        Parameters report;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            var url = server.Url("QuestionnaireResponse/$import-spreadsheet" + (dryRun ? "?dryRun=true" : string.Empty));
            using var request = server.Request(HttpMethod.Post, url);
            request.Content = new StreamContent(file, 1 << 16);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(
                kind == InputKind.Csv ? SpreadsheetReader.CsvMediaType : SpreadsheetReader.XlsxMediaType);
            using var response = await server.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await FhirServer.FailureAsync(response, $"{name}: $import-spreadsheet", cancellationToken);
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            report = FhirSerialization.JsonDeserializer.DeserializeResource(body) as Parameters
                ?? throw new ServerException($"{name}: $import-spreadsheet answered something other than a Parameters report");
        }

        var rows = Count(report, "rows");
        var refused = Count(report, "refused");
        view.Report(rows, rows, refused);
        var reportPath = ErrorReport.For(path, kind);
        if (refused == 0)
        {
            // A report left by an earlier run of the same file would tell of refusals that no longer happen.
            File.Delete(reportPath);
            return new ImportResult(rows, 0, null);
        }

        await File.WriteAllTextAsync(reportPath, ReportCsv(report), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), cancellationToken);
        return new ImportResult(rows - refused, refused, reportPath);
    }

    private static long Count(Parameters report, string name) =>
        report.Parameter.FirstOrDefault(p => p.Name == name)?.Value is Integer { Value: { } value } ? value : 0;

    /// <summary>
    /// One line per problem: <c>row,column,message,diagnostics</c>. A byte order mark makes spreadsheet programs read it
    /// as UTF-8; the row numbers are those the clinic's spreadsheet program shows.
    /// </summary>
    private static string ReportCsv(Parameters report)
    {
        var csv = new StringBuilder("row,column,message,diagnostics\r\n");
        foreach (var row in report.Parameter.Where(p => p.Name == "row"))
        {
            var number = row.Part.FirstOrDefault(p => p.Name == "number")?.Value is Integer { Value: { } n } ? n : 0;
            foreach (var issue in row.Part.Where(p => p.Name == "issue"))
            {
                var error = new RowError(
                    (issue.Part.FirstOrDefault(p => p.Name == "column")?.Value as FhirString)?.Value ?? string.Empty,
                    (issue.Part.FirstOrDefault(p => p.Name == "message")?.Value as FhirString)?.Value ?? string.Empty);
                csv.Append(number.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                    .Append(Quote(error.Column)).Append(',')
                    .Append(Quote(error.Message)).Append(',')
                    .Append(Quote(error.Describe(number))).Append("\r\n");
            }
        }

        return csv.ToString();
    }

    /// <summary>RFC 4180 quoting: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
}
