using System.Diagnostics;
using System.Globalization;

namespace AllianceFhir.Cli.Progress;

/// <summary>Where a running job reports how far it got.</summary>
public interface IProgressView
{
    /// <param name="done">Rows, lines or bytes handled so far.</param>
    /// <param name="total">How many there are in all, when known.</param>
    /// <param name="refused">How many of <paramref name="done"/> were refused.</param>
    /// <param name="status">What the server says it is doing (Bulk Data <c>X-Progress</c>), if anything.</param>
    void Report(long done, long? total, long refused, string? status = null);
}

/// <summary>
/// Shows one job at a time: a live Spectre.Console bar on an interactive terminal, or plain lines when output is
/// redirected (a log, CI, a pipe), where a redrawing bar would leave escape codes and hundreds of partial lines.
/// </summary>
public abstract class ProgressDisplay
{
    public static ProgressDisplay For(CliHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Interactive ? new LiveProgressDisplay(host.Console) : new PlainProgressDisplay(host);
    }

    /// <param name="name">What is being worked on (a file name).</param>
    /// <param name="unit">What is counted: rows, lines, bytes.</param>
    public abstract Task<T> RunAsync<T>(string name, string unit, Func<IProgressView, Task<T>> work);

    /// <summary>The one-line summary both displays share: <c>1,200/5,000 lines, 850 lines/s, 3 refused</c>.</summary>
    public static string Describe(long done, long? total, long refused, string unit, TimeSpan elapsed, string? status)
    {
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var counted = total is { } all ? $"{FormatCount(done)}/{FormatCount(all)} {unit}" : $"{FormatCount(done)} {unit}";
        var text = string.Create(CultureInfo.InvariantCulture, $"{counted}, {rate:N0} {unit}/s, {FormatCount(refused)} refused");
        return status is null ? text : $"{text} ({status})";
    }

    private static string FormatCount(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Elapsed time of a run, for the rate.</summary>
    protected sealed class Clock
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        public TimeSpan Elapsed => _watch.Elapsed;
    }
}
