using System.CommandLine;
using AllianceFhir.Cli.Http;
using AllianceFhir.Cli.Progress;

namespace AllianceFhir.Cli.Import;

/// <summary>
/// <c>alliancefhir import &lt;file|folder&gt; --server URL [--token T] [--dry-run]</c>: each input to the server in turn,
/// a progress display per input, the refused rows or lines beside each input, and an exit code over all of them.
/// </summary>
public static class ImportCommand
{
    public static Command Create(CliHost host)
    {
        var input = new Argument<string>("input") { Description = "An .ndjson, .csv or .xlsx file, or a folder of them (taken in name order)" };
        var server = CommonOptions.Server();
        var token = CommonOptions.Token();
        var dryRun = new Option<bool>("--dry-run") { Description = "Spreadsheets only: check every row on the server and store nothing" };
        var command = new Command("import", "Import NDJSON ($import) and clinic spreadsheets ($import-spreadsheet) into a server")
        {
            input, server, token, dryRun,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            host, parse.GetValue(input)!, parse.GetValue(server)!, parse.GetValue(token), parse.GetValue(dryRun), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliHost host, string input, Uri serverUrl, string? token, bool dryRun, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> files;
        try
        {
            files = InputFiles.Find(input);
        }
        catch (ArgumentException ex)
        {
            host.WriteError(ex.Message);
            return ExitCodes.Failed;
        }

        if (dryRun && files.FirstOrDefault(f => InputFiles.KindOf(f) == InputKind.Ndjson) is { } ndjson)
        {
            host.WriteError($"{ndjson}: --dry-run checks spreadsheets only ($import has no dry run); check NDJSON offline with 'alliancefhir validate'");
            return ExitCodes.Failed;
        }

        using var server = new FhirServer(serverUrl, token, host.CreateHandler());
        var display = ProgressDisplay.For(host);
        long imported = 0, refused = 0;
        foreach (var file in files)
        {
            var kind = InputFiles.KindOf(file)!.Value;
            ImportResult result;
            try
            {
                result = await display.RunAsync(Path.GetFileName(file), kind == InputKind.Ndjson ? "lines" : "rows", view => kind == InputKind.Ndjson
                    ? new NdjsonImport(server).RunAsync(file, view, cancellationToken)
                    : new SpreadsheetImport(server, dryRun).RunAsync(file, kind, view, cancellationToken));
            }
            catch (ServerException ex)
            {
                // Later files may refer to what this one holds (patients before their responses): stop here.
                host.WriteError(ex.Message);
                return ExitCodes.Failed;
            }

            imported += result.Imported;
            refused += result.Refused;
            host.WriteLine(result.Report is null
                ? $"{file}: {FhirServer.Count(result.Imported)} {(dryRun ? "valid" : "imported")}, none refused"
                : $"{file}: {FhirServer.Count(result.Imported)} {(dryRun ? "valid" : "imported")}, {FhirServer.Count(result.Refused)} refused; see {result.Report}");
        }

        if (files.Count > 1)
        {
            host.WriteLine($"{files.Count} files: {FhirServer.Count(imported)} {(dryRun ? "valid" : "imported")}, {FhirServer.Count(refused)} refused");
        }

        return refused > 0 ? ExitCodes.Refused : ExitCodes.Success;
    }
}
