namespace AllianceFhir.Cli.Progress;

/// <summary>
/// Progress as lines of text, for redirected output: a line when the server's status text changes, otherwise when the
/// numbers change but at most one a second (a server is polled about that often), and always the final one.
/// </summary>
public sealed class PlainProgressDisplay(CliHost host) : ProgressDisplay
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    public override async Task<T> RunAsync<T>(string name, string unit, Func<IProgressView, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var view = new View(host, name, unit);
        try
        {
            return await work(view);
        }
        finally
        {
            view.Flush();
        }
    }

    private sealed class View(CliHost host, string name, string unit) : IProgressView
    {
        private readonly Clock _clock = new();
        private TimeSpan? _lastWritten;
        private string? _pending;
        private string? _written;
        private string? _status;

        public void Report(long done, long? total, long refused, string? status = null)
        {
            var line = $"{name}: {Describe(done, total, refused, unit, _clock.Elapsed, status)}";
            _pending = line;
            // What the server says it is doing is shown whenever it changes; counts at most once a second.
            var news = status is not null && status != _status;
            _status = status ?? _status;
            if (news || _lastWritten is not { } last || _clock.Elapsed - last >= MinInterval)
            {
                Flush();
            }
        }

        public void Flush()
        {
            if (_pending is not null && _pending != _written)
            {
                host.WriteLine(_pending);
                _written = _pending;
                _lastWritten = _clock.Elapsed;
            }

            _pending = null;
        }
    }
}
