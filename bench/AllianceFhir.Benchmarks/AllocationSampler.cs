using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace AllianceFhir.Benchmarks;

/// <summary>
/// The runtime's allocation samples (GCAllocationTick: one event per ~100 KB allocated, naming the type of the object
/// that crossed the mark) summed by type while enabled: which types a stage's kilobytes are made of, without a trace
/// file. A sample stands for the ~100 KB before it, so small totals are rough; over thousands of submits they converge.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    public void Start()
    {
        _bytes.Clear();
        _recording = true;
    }

    /// <summary>The sampled types, largest first, with their share of the samples.</summary>
    public IReadOnlyList<(string Type, double Share)> Stop(int top)
    {
        _recording = false;
        var total = Math.Max(1, _bytes.Values.Sum());
        return [.. _bytes.OrderByDescending(p => p.Value).Take(top).Select(p => (p.Key, p.Value / (double)total))];
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var type = eventData.PayloadNames?.IndexOf("TypeName") is int t and >= 0 ? eventData.Payload[t] as string ?? "?" : "?";
        var amount = eventData.PayloadNames?.IndexOf("AllocationAmount64") is int a and >= 0 ? Convert.ToInt64(eventData.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }
}
