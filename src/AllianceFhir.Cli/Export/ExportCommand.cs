using System.CommandLine;
using System.Globalization;
using AllianceFhir.Cli.Http;
using AllianceFhir.Cli.Progress;

namespace AllianceFhir.Cli.Export;

/// <summary>
/// <c>alliancefhir export --server URL [--type T …] [--since INSTANT] [--group ID] [--out DIR]</c>: a Bulk Data export,
/// downloaded into a folder (one NDJSON file per output, <c>deleted/</c>, <c>error/</c>, and the manifest).
/// </summary>
public static class ExportCommand
{
    public static Command Create(CliHost host)
    {
        var server = CommonOptions.Server();
        var token = CommonOptions.Token();
        var types = new Option<string[]>("--type")
        {
            Description = "Resource types to export (repeat, or comma-separated); default: all the server exports",
            AllowMultipleArgumentsPerToken = true,
        };
        var since = new Option<string?>("--since")
        {
            Description = "Only resources changed after this instant (FHIR instant, e.g. 2026-11-01T00:00:00Z)",
        };
        since.Validators.Add(result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            // _since is a FHIR instant: a full date and time with seconds and a zone.
            if (text.Length < 20 || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                || !(text.EndsWith('Z') || text[^6] is '+' or '-'))
            {
                result.AddError($"--since must be a FHIR instant with a time zone, e.g. 2026-11-01T00:00:00Z, not '{text}'");
            }
        });
        var group = new Option<string?>("--group") { Description = "Export the members of this Group (Group/[id]/$export)" };
        var output = new Option<string>("--out", "-o")
        {
            Description = "Folder to write the files into (created if needed)",
            DefaultValueFactory = _ => "export",
        };
        var command = new Command("export", "Download a Bulk Data export ($export) from a server")
        {
            server, token, types, since, group, output,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            host,
            parse.GetValue(server)!,
            parse.GetValue(token),
            new ExportRequest(
                [.. (parse.GetValue(types) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                parse.GetValue(since),
                parse.GetValue(group)),
            parse.GetValue(output)!,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliHost host, Uri serverUrl, string? token, ExportRequest request, string folder, CancellationToken cancellationToken)
    {
        using var server = new FhirServer(serverUrl, token, host.CreateHandler());
        ExportResult result;
        try
        {
            result = await ProgressDisplay.For(host).RunAsync("export", "resources",
                view => new BulkExportClient(server).RunAsync(request, folder, view, cancellationToken));
        }
        catch (ServerException ex)
        {
            host.WriteError(ex.Message);
            return ExitCodes.Failed;
        }

        foreach (var type in result.Manifest.Outputs.GroupBy(o => o.Type))
        {
            host.WriteLine($"{type.Key}: {type.Count()} file(s){(type.All(f => f.Count is not null) ? $", {FhirServer.Count(type.Sum(f => f.Count!.Value))} resources" : string.Empty)}");
        }

        host.WriteLine($"{FhirServer.Count(result.Resources)} resources in {result.Files.Count} file(s) under {folder}; as of {result.Manifest.TransactionTime} (use it as --since next time)");
        if (result.Manifest.Errors.Count > 0)
        {
            host.WriteLine($"the server reported errors: see {Path.Combine(folder, "error")}");
            return ExitCodes.Refused;
        }

        return ExitCodes.Success;
    }
}
