using AllianceFhir.Cli;
using Spectre.Console.Testing;

namespace AllianceFhir.Cli.Tests.Infrastructure;

/// <summary>One run of the CLI in process: its exit code and everything it printed.</summary>
public sealed record CliRun(int ExitCode, string Output)
{
    /// <param name="handler">The server's handler (WebApplicationFactory's), or null for real sockets.</param>
    /// <param name="interactive">A live progress bar (a terminal) instead of plain lines (redirected output).</param>
    public static async Task<CliRun> RunAsync(Func<HttpMessageHandler>? handler, bool interactive, params string[] args)
    {
        using var console = new TestConsole();
        console.Profile.Width = 200;
        if (interactive)
        {
            console.Interactive();
        }

        var code = await CliApp.RunAsync(args, new CliHost(console, interactive, handler));
        return new CliRun(code, console.Output);
    }
}
