using System.Runtime.CompilerServices;
using AllianceFhir.Core.Export;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Api.Tests.Export;

/// <summary>
/// The app's own export source (the real store), held before its second page until the test lets it go: a test that
/// must see a job while it runs then does not race the export, which on a fast machine finishes before the first poll.
/// </summary>
internal sealed class HeldExportSource(IExportSource inner, HeldExportSource.Gate gate) : IExportSource
{
    public async IAsyncEnumerable<ExportRow> ReadPageAsync(string tenant, ExportPage page, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref gate.Pages) > 1)
        {
            await gate.Released.Task.WaitAsync(cancellationToken);
        }

        await foreach (var row in inner.ReadPageAsync(tenant, page, cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>Wraps the registered source; the store behind it stays the app's.</summary>
    public static void Install(IServiceCollection services, Gate gate)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IExportSource));
        var implementation = registered.ImplementationType
            ?? throw new InvalidOperationException("IExportSource is expected to be registered by its type");
        services.Remove(registered);
        services.Add(new ServiceDescriptor(
            typeof(IExportSource),
            provider => new HeldExportSource((IExportSource)ActivatorUtilities.CreateInstance(provider, implementation), gate),
            registered.Lifetime));
    }

    internal sealed class Gate
    {
        public int Pages;

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
