using System.CommandLine;
using AllianceFhir.Cli.Export;
using AllianceFhir.Cli.Import;
using AllianceFhir.Cli.Validate;

namespace AllianceFhir.Cli;

/// <summary>The <c>alliancefhir</c> command line: import, export, validate.</summary>
public static class CliApp
{
    public static RootCommand Create(CliHost host) => new("alliancefhir: bring a clinic's data into an AllianceFhir server, take it out, check files offline")
    {
        ImportCommand.Create(host),
        ExportCommand.Create(host),
        ValidateCommand.Create(host),
    };

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var parse = Create(host).Parse(args);
        // Failures are reported here, with the documented exit codes, instead of as a stack trace with exit code 1.
        var configuration = new InvocationConfiguration { Output = host.Console.Profile.Out.Writer, Error = host.Error, EnableDefaultExceptionHandler = false };
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine answers 1 to a bad command line; here 1 means "the server refused some rows".
            foreach (var error in parse.Errors)
            {
                host.WriteError(error.Message);
            }

            host.WriteLine("Run 'alliancefhir --help' for the commands and their options.");
            return ExitCodes.Failed;
        }

        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            host.WriteError("interrupted; an import or export job still running on the server was asked to cancel");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or System.Text.Json.JsonException or Http.ServerException)
        {
            host.WriteError(ex.Message);
            return ExitCodes.Failed;
        }
    }
}
