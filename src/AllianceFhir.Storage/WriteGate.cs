using Microsoft.Extensions.Options;

namespace AllianceFhir.Storage;

/// <summary>
/// SQLite has one writer at a time. Left to itself, a writer that finds the database locked sleeps in SQLite's busy
/// handler, whose back-off turned 8 concurrent writers into hundreds of milliseconds of waiting each. Queueing writers
/// in-process on an async lock gives the same serial order without the sleeping. SQL Server has row locks and needs
/// no gate. The database's unique constraints still decide every race; the gate only removes the waiting.
/// </summary>
public sealed class WriteGate(IOptions<StorageOptions> options) : IDisposable
{
    private readonly SemaphoreSlim? _gate = options.Value.Provider == StorageProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;

    public async ValueTask<Lease> EnterAsync(CancellationToken cancellationToken)
    {
        if (_gate is not null)
        {
            await _gate.WaitAsync(cancellationToken);
        }

        return new Lease(_gate);
    }

    public void Dispose() => _gate?.Dispose();

    public readonly struct Lease(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
