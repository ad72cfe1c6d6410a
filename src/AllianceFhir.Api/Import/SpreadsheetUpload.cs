using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Spreadsheets;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Import;

/// <summary>
/// Takes an uploaded sheet off the request and hands it to <see cref="SpreadsheetReader"/>. A zip needs a seekable
/// stream, so the body is spooled to a temp file that is deleted on close; the size bound is enforced while spooling,
/// so a huge upload never fills the disk.
/// </summary>
public static class SpreadsheetUpload
{
    public static async Task<IReadOnlyList<SpreadsheetRow>> ReadAsync(HttpRequest request, ImportOptions options, CancellationToken cancellationToken)
    {
        var format = Format(request);
        if (request.ContentLength > options.MaxSpreadsheetBytes)
        {
            throw TooLarge(options);
        }

        await using var spool = new FileStream(
            Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (spool.Length + read > options.MaxSpreadsheetBytes)
            {
                throw TooLarge(options);
            }

            await spool.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        if (spool.Length == 0)
        {
            throw FhirOperationException.BadRequest("The request body is empty; upload a CSV or .xlsx file");
        }

        spool.Position = 0;
        return SpreadsheetReader.Read(spool, format, options.Spreadsheet);
    }

    private static SpreadsheetFormat Format(HttpRequest request)
    {
        var contentType = request.ContentType is { } value ? value.Split(';')[0].Trim().ToLowerInvariant() : null;
        return contentType switch
        {
            SpreadsheetReader.CsvMediaType => SpreadsheetFormat.Csv,
            SpreadsheetReader.XlsxMediaType => SpreadsheetFormat.Xlsx,
            _ => throw FhirOperationException.Of(
                HttpStatusCode.UnsupportedMediaType,
                OperationOutcome.IssueType.NotSupported,
                $"$import-spreadsheet takes {SpreadsheetReader.CsvMediaType} or {SpreadsheetReader.XlsxMediaType}, not '{request.ContentType}'"),
        };
    }

    private static FhirOperationException TooLarge(ImportOptions options) =>
        FhirOperationException.Of(HttpStatusCode.RequestEntityTooLarge, OperationOutcome.IssueType.TooCostly,
            $"The upload is larger than {options.MaxSpreadsheetBytes} bytes (Import:MaxSpreadsheetBytes)");
}
