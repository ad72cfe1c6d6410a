using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Storage;

namespace AllianceFhir.Api.Audit;

/// <summary>
/// Builds and stores the queued AuditEvents: as soon as one arrives, together with whatever queued up meanwhile (at
/// most <see cref="MaxBatch"/>), so an event is stored well within a second of its request; on graceful shutdown the
/// queue is closed and drained before the host stops. What a hard crash (kill, power loss) loses is what was queued and
/// not yet committed: at most about the last second of read audits. Writes never depend on this path: their audit is in
/// their own commit.
/// </summary>
/// <remarks>
/// Each batch is one append per tenant (<see cref="IResourceStore.AppendAsync"/>): one transaction with no savepoint.
/// An event is one narrow row (<see cref="AuditEventRow"/>), not a resource with index rows: about a tenth of the
/// writer's time per event (docs/performance.md).
/// </remarks>
public sealed class AuditWriter(
    AuditBacklog queue,
    TimeProvider clock,
    IServiceScopeFactory scopes,
    ILogger<AuditWriter> logger) : BackgroundService
{
    /// <summary>Bounds a transaction's size (and the writer's time in it) while the backlog is long.</summary>
    public const int MaxBatch = 1000;

    /// <summary>
    /// How long the writer lets events gather after the first one arrives before it commits them: a transaction's own
    /// cost (the commit, the hand-offs to the writer thread) is several times a narrow row's, so one reader reading back
    /// to back would otherwise pay a transaction per read (docs/performance.md). Well within the promised second.
    /// </summary>
    public static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);

    private const int Attempts = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditBacklog.Entry>(MaxBatch);

        // Not cancelled by stoppingToken: stopping completes the queue, and the loop ends once it is drained.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            if (queue.Reader.Count < MaxBatch && !queue.Reader.Completion.IsCompleted)
            {
                await Task.Delay(Linger, CancellationToken.None);
            }

            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var audit))
            {
                batch.Add(audit);
            }

            // One append per tenant: a store is bound to one clinic.
            foreach (var tenant in batch.GroupBy(a => a.Tenant, StringComparer.Ordinal))
            {
                await AppendAsync(tenant.Key, [.. tenant.Select(a => Build(a.Record)).OfType<ResourceWrite>()]);
            }

            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        await base.StopAsync(cancellationToken);
    }

    private ResourceWrite? Build(AuditRecord record)
    {
        try
        {
            return AuditEventFactory.ToWrite(record, clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            // Never let one event stop the writer (and with it the host).
            logger.LogError("An AuditEvent could not be built ({Error}) and is lost", ex.GetType().Name);
            return null;
        }
    }

    private async Task AppendAsync(string tenant, List<ResourceWrite> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(tenant).AppendAsync(batch, CancellationToken.None);
                return;
            }
            catch (Exception ex) when (attempt < Attempts)
            {
                // The type only: an exception message may quote the data being written.
                logger.LogWarning("Committing {Count} AuditEvents failed ({Error}); trying again", batch.Count, ex.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception) when (batch.Count > 1)
            {
                // One bad event must not take the others with it: store them one by one.
                foreach (var audit in batch)
                {
                    await AppendAsync(tenant, [audit]);
                }

                return;
            }
            catch (Exception ex)
            {
                logger.LogError("An AuditEvent could not be stored ({Error}) and is lost", ex.GetType().Name);
                return;
            }
        }
    }
}
