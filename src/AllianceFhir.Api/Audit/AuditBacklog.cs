using System.Threading.Channels;
using AllianceFhir.Core.Audit;

namespace AllianceFhir.Api.Audit;

/// <summary>
/// The AuditEvents of requests that wrote nothing (reads, searches, refusals), on their way to <see cref="AuditWriter"/>.
/// Bounded so that a stalled database cannot grow memory without end. When it is full a request waits up to
/// <see cref="FullWait"/> for room (the writer commits in batches, so room comes fast unless the database is stuck); an
/// event that still finds no room is dropped, counted in <see cref="Dropped"/> and logged as a warning, never silently.
/// </summary>
public sealed class AuditBacklog(ILogger<AuditBacklog> logger)
{
    /// <summary>
    /// What a request did and the tenant it belongs to (the caller's clinic, so each clinic sees its own trail). The
    /// AuditEvent itself is built by the writer, off the request's path.
    /// </summary>
    public sealed record Entry(string Tenant, AuditRecord Record);

    public const int Capacity = 10_000;
    public static readonly TimeSpan FullWait = TimeSpan.FromSeconds(1);

    private readonly Channel<Entry> _channel = Channel.CreateBounded<Entry>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    public ChannelReader<Entry> Reader => _channel.Reader;

    public async ValueTask EnqueueAsync(Entry audit)
    {
        if (_channel.Writer.TryWrite(audit))
        {
            return;
        }

        using var wait = new CancellationTokenSource(FullWait);
        try
        {
            await _channel.Writer.WriteAsync(audit, wait.Token);
            return;
        }
        catch (OperationCanceledException)
        {
            // Still full after the wait: the writer is not keeping up.
        }
        catch (ChannelClosedException)
        {
            // The app is shutting down and the writer has taken its last batch.
        }

        var dropped = Interlocked.Increment(ref _dropped);
        logger.LogWarning("An AuditEvent was dropped: the audit queue is full or closed ({Dropped} dropped since start)", dropped);
    }

    /// <summary>No more events: the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
