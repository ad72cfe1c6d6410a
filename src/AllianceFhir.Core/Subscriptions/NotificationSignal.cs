namespace AllianceFhir.Core.Subscriptions;

/// <summary>Wakes the dispatcher when this instance committed a notification, so delivery does not wait for the next poll.</summary>
public sealed class NotificationSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Pulse()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already pulsed by a racing commit: one wake-up is enough.
        }
    }

    /// <summary>True when pulsed, false when the timeout passed.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
