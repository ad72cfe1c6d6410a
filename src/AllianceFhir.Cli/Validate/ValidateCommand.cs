using System.CommandLine;
using AllianceFhir.Cli.Import;
using AllianceFhir.Core.Errors;
using AllianceFhir.Instruments;
using AllianceFhir.Instruments.Catalog;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Spreadsheets;
using Hl7.Fhir.Model;

namespace AllianceFhir.Cli.Validate;

/// <summary>
/// <c>alliancefhir validate &lt;file&gt;</c>: checks a spreadsheet or NDJSON file against the shipped instrument catalog
/// with the server's own code, offline, and prints what the server would refuse, in the server's words.
/// </summary>
public static class ValidateCommand
{
    public static Command Create(CliHost host)
    {
        var input = new Argument<string>("file") { Description = "An .ndjson, .csv or .xlsx file" };
        var patientSystem = new Option<string?>("--patient-system")
        {
            Description = "Spreadsheets: the identifier system of rows without patient_system (the server's Import:DefaultPatientIdentifierSystem)",
        };
        var timeZone = new Option<string>("--time-zone")
        {
            Description = "Spreadsheets: the IANA zone of times without a timezone (the server's Import:ClinicTimeZone)",
            DefaultValueFactory = _ => "UTC",
        };
        var maxRows = new Option<int>("--max-rows")
        {
            Description = "Spreadsheets: the most data rows the server takes in one file (its Import:MaxSpreadsheetRows)",
            DefaultValueFactory = _ => 10_000,
        };
        var command = new Command("validate", "Check a spreadsheet or NDJSON file against the instrument catalog, offline (no server)")
        {
            input, patientSystem, timeZone, maxRows,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            host,
            parse.GetValue(input)!,
            new SpreadsheetSettings(parse.GetValue(patientSystem), parse.GetValue(timeZone)!, parse.GetValue(maxRows)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliHost host, string path, SpreadsheetSettings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            host.WriteError($"{path}: no such file");
            return ExitCodes.Failed;
        }

        if (InputFiles.KindOf(path) is not { } kind)
        {
            host.WriteError($"{path}: not an input the tool knows (.ndjson, .csv or .xlsx)");
            return ExitCodes.Failed;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.ClinicTimeZone, out _))
        {
            host.WriteError($"--time-zone: '{settings.ClinicTimeZone}' is not a time zone id this machine knows (e.g. Europe/Zurich)");
            return ExitCodes.Failed;
        }

        var processor = new QuestionnaireResponseProcessor(new ScoringEngine());
        var catalog = new CatalogReader(new InstrumentCatalog(new InstrumentOptions()));
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var problems = kind == InputKind.Ndjson
            ? await CheckNdjsonAsync(host, new NdjsonChecker(processor, catalog), file, cancellationToken)
            : await CheckSpreadsheetAsync(host, new SpreadsheetChecker(processor, new ImportRowValidator()), catalog, file, kind, settings, cancellationToken);
        if (problems < 0)
        {
            return ExitCodes.Refused;
        }

        host.WriteLine(problems == 0
            ? $"{path}: valid"
            : $"{path}: {problems} {(kind == InputKind.Ndjson ? "line(s)" : "row(s)")} would be refused");
        return problems == 0 ? ExitCodes.Success : ExitCodes.Refused;
    }

    /// <returns>The number of refused lines.</returns>
    private static async Task<int> CheckNdjsonAsync(CliHost host, NdjsonChecker checker, Stream file, CancellationToken cancellationToken)
    {
        var refusals = await checker.CheckAsync(file, cancellationToken);
        foreach (var outcome in refusals)
        {
            foreach (var issue in outcome.Issue)
            {
                // details.text says where ("line 4 (QuestionnaireResponse): refused as a REST write would be, with HTTP 422").
                var where = issue.Details?.Text ?? string.Empty;
                var at = issue.Expression.Any() ? $" [{string.Join(", ", issue.Expression)}]" : string.Empty;
                host.WriteLine($"{where}: {issue.Diagnostics}{at}");
            }
        }

        return refusals.Count;
    }

    /// <returns>The number of refused rows, or -1 when the file as a whole would be refused (the server's 400 or 413).</returns>
    private static async Task<int> CheckSpreadsheetAsync(
        CliHost host, SpreadsheetChecker checker, CatalogReader catalog, Stream file, InputKind kind, SpreadsheetSettings settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<SpreadsheetRow> rows;
        try
        {
            rows = SpreadsheetReader.Read(file, kind == InputKind.Csv ? SpreadsheetFormat.Csv : SpreadsheetFormat.Xlsx, settings);
        }
        catch (FhirOperationException ex)
        {
            foreach (var issue in ex.Outcome.Issue.Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal))
            {
                host.WriteLine($"the whole file would be refused ({(int)ex.Status}): {issue.Diagnostics}");
            }

            return -1;
        }

        var checkedRows = await checker.CheckAsync(rows, settings, DateTimeOffset.UtcNow, catalog, cancellationToken);
        foreach (var row in checkedRows)
        {
            foreach (var error in row.Errors)
            {
                host.WriteLine(error.Describe(row.Row.Number));
            }
        }

        return checkedRows.Count(r => r.Errors.Count > 0);
    }
}
