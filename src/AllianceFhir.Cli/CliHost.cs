using Spectre.Console;

namespace AllianceFhir.Cli;

/// <summary>
/// What the commands talk to: the console (live progress when it is interactive, plain lines when redirected) and the
/// HTTP handler. Tests hand in a <c>TestConsole</c> and the handler of an in-process server.
/// </summary>
public sealed class CliHost(IAnsiConsole console, bool interactive, Func<HttpMessageHandler>? handler = null)
{
    public IAnsiConsole Console { get; } = console;

    /// <summary>Whether a live progress bar can redraw itself; false when output goes to a file, a pipe or CI.</summary>
    public bool Interactive { get; } = interactive;

    public static CliHost ForConsole()
    {
        var console = AnsiConsole.Console;
        var interactive = console.Profile.Capabilities.Interactive && !System.Console.IsOutputRedirected;
        return new CliHost(console, interactive);
    }

    public HttpMessageHandler CreateHandler() => handler?.Invoke() ?? new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All };

    /// <summary>A line for a person, never markup: file names and server messages may hold '[' and ']'.</summary>
    public void WriteLine(string text) => Console.Profile.Out.Writer.WriteLine(text);

    public void WriteError(string text) => Console.Profile.Out.Writer.WriteLine("error: " + text);
}
