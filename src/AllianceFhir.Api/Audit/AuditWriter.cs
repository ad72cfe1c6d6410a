using AllianceFhir.Core.Storage;

namespace AllianceFhir.Api.Audit;

/// <summary>
/// Commits the queued AuditEvents through the store port: as soon as one arrives, together with whatever queued up
/// meanwhile, so an event is stored well within a second of its request; on graceful shutdown the queue is closed and
/// drained before the host stops. What a hard crash (kill, power loss) loses is what was queued and not yet committed:
/// at most about the last second of read audits. Writes never depend on this path: their audit is in their own commit.
/// </summary>
public sealed class AuditWriter(AuditBacklog queue, IServiceScopeFactory scopes, ILogger<AuditWriter> logger) : BackgroundService
{
    private const int MaxBatch = 500;
    private const int Attempts = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditBacklog.Entry>(MaxBatch);

        // Not cancelled by stoppingToken: stopping completes the queue, and the loop ends once it is drained.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var audit))
            {
                batch.Add(audit);
            }

            // One commit per tenant: a store is bound to one clinic.
            foreach (var tenant in batch.GroupBy(a => a.Tenant, StringComparer.Ordinal))
            {
                await CommitAsync(tenant.Key, [.. tenant.Select(a => a.Write)]);
            }

            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        await base.StopAsync(cancellationToken);
    }

    private async Task CommitAsync(string tenant, List<ResourceWrite> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IResourceStoreFactory>().ForTenant(tenant).CommitAsync(batch, CancellationToken.None);
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
                    await CommitAsync(tenant, [audit]);
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
