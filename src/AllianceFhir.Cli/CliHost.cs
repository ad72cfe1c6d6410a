using Spectre.Console;

namespace AllianceFhir.Cli;

/// <summary>
/// What the commands talk to: the console (live progress when it is interactive, plain lines when redirected) and the
/// HTTP handler. Tests hand in a <c>TestConsole</c> and the handler of an in-process server.
/// </summary>
/// <param name="error">Where errors go: standard error for the tool, so a script can tell them from the summary.</param>
public sealed class CliHost(IAnsiConsole console, bool interactive, Func<HttpMessageHandler>? handler = null, TextWriter? error = null)
{
    public IAnsiConsole Console { get; } = console;

    /// <summary>Whether a live progress bar can redraw itself; false when output goes to a file, a pipe or CI.</summary>
    public bool Interactive { get; } = interactive;

    public static CliHost ForConsole()
    {
        var console = AnsiConsole.Console;
        var interactive = console.Profile.Capabilities.Interactive && !System.Console.IsOutputRedirected;
        return new CliHost(console, interactive, error: System.Console.Error);
    }

    public TextWriter Error => error ?? Console.Profile.Out.Writer;

    public HttpMessageHandler CreateHandler() => handler?.Invoke() ?? new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.All };

    /// <summary>A line for a person, never markup: file names and server messages may hold '[' and ']'.</summary>
    public void WriteLine(string text) => Console.Profile.Out.Writer.WriteLine(text);

    public void WriteError(string text) => Error.WriteLine("error: " + text);
}
