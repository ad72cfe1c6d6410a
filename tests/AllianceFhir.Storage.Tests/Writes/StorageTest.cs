using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Storage.Tests.Writes;

/// <summary>A test class with storage services of its own (a fresh migrated SQLite file per test).</summary>
public abstract class StorageTest : IAsyncLifetime
{
    private StorageServices? _storage;

    protected ServiceProvider Services => (_storage ?? throw new InvalidOperationException("not initialized")).Provider;

    public async Task InitializeAsync() => _storage = await StorageServices.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }
}
