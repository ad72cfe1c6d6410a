using AllianceFhir.Core.Subscriptions;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// The outbox and the dispatcher lease in the <c>SubscriptionOutbox</c> and <c>DispatchLeases</c> tables. Only the lease
/// holder reads and marks rows, so numbering and marking need no further locking; the lease itself is a compare-and-set.
/// </summary>
internal sealed class EfSubscriptionOutbox(FhirDbContext db, TimeProvider clock) : ISubscriptionOutbox
{
    private const string LeaseName = "subscription-dispatcher";
    private const int ErrorLength = 1000;

    public async Task<bool> HoldLeaseAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + lease;
        var held = await db.DispatchLeases
            .Where(l => l.Name == LeaseName && (l.Owner == owner || l.Until < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, owner).SetProperty(l => l.Until, until), cancellationToken);
        if (held == 1)
        {
            return true;
        }

        if (await db.DispatchLeases.AsNoTracking().AnyAsync(l => l.Name == LeaseName, cancellationToken))
        {
            return false;
        }

        db.DispatchLeases.Add(new DispatchLeaseEntity { Name = LeaseName, Owner = owner, Until = until });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (UniqueViolation.Is(ex))
        {
            // Another instance created the lease first.
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task ReleaseLeaseAsync(string owner, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.DispatchLeases
            .Where(l => l.Name == LeaseName && l.Owner == owner)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Until, now), cancellationToken);
    }

    public async Task<IReadOnlyList<(string Tenant, string SubscriptionId)>> PendingSubscriptionsAsync(CancellationToken cancellationToken)
    {
        var rows = await db.SubscriptionOutbox.AsNoTracking()
            .Where(o => o.DeliveredAt == null)
            .Select(o => new { o.TenantId, o.SubscriptionId })
            .Distinct()
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.TenantId, r.SubscriptionId))];
    }

    public async Task<PendingNotification?> NextAsync(string tenant, string subscriptionId, OutboxKind? kind, CancellationToken cancellationToken)
    {
        var rows = db.SubscriptionOutbox.AsNoTracking()
            .Where(o => o.TenantId == tenant && o.SubscriptionId == subscriptionId && o.DeliveredAt == null);
        if (kind is { } only)
        {
            var name = only.ToString();
            rows = rows.Where(o => o.Kind == name);
        }

        var row = await rows.OrderBy(o => o.Sequence).FirstOrDefaultAsync(cancellationToken);
        return row is null
            ? null
            : new PendingNotification(
                row.Sequence,
                new OutboxEntry(row.TenantId, row.SubscriptionId, Enum.Parse<OutboxKind>(row.Kind), row.ResourceType, row.ResourceId, row.VersionId, row.Context),
                new DateTimeOffset(row.CreatedAt, TimeSpan.Zero),
                row.EventNumber,
                row.Attempts);
    }

    public async Task<long> NumberAsync(PendingNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.EventNumber is { } number)
        {
            return number;
        }

        var entry = notification.Entry;
        var next = await EventCountAsync(entry.Tenant, entry.SubscriptionId, cancellationToken) + 1;
        await db.SubscriptionOutbox
            .Where(o => o.Sequence == notification.Sequence && o.EventNumber == null)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.EventNumber, next), cancellationToken);
        return next;
    }

    public async Task MarkDeliveredAsync(long sequence, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.SubscriptionOutbox
            .Where(o => o.Sequence == sequence)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.DeliveredAt, now), cancellationToken);
    }

    public async Task RecordFailureAsync(long sequence, string reason, CancellationToken cancellationToken)
    {
        var error = reason.Length > ErrorLength ? reason[..ErrorLength] : reason;
        await db.SubscriptionOutbox
            .Where(o => o.Sequence == sequence)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Attempts, o => o.Attempts + 1).SetProperty(o => o.LastError, error), cancellationToken);
    }

    public async Task<long> EventCountAsync(string tenant, string subscriptionId, CancellationToken cancellationToken) =>
        await db.SubscriptionOutbox.AsNoTracking()
            .Where(o => o.TenantId == tenant && o.SubscriptionId == subscriptionId && o.EventNumber != null)
            .MaxAsync(o => o.EventNumber, cancellationToken) ?? 0;

    public async Task<int> PurgeDeliveredAsync(DateTimeOffset deliveredBefore, int limit, CancellationToken cancellationToken)
    {
        var cutoff = deliveredBefore.UtcDateTime;
        // The event count is the highest event number still stored (EventCountAsync), so the row holding it stays: a
        // later row with a higher number must exist before one may go. Selected first, then deleted by key: a bounded
        // batch that both providers translate the same way.
        var batch = await db.SubscriptionOutbox.AsNoTracking()
            .Where(o => o.DeliveredAt != null && o.DeliveredAt < cutoff
                && (o.EventNumber == null || db.SubscriptionOutbox.Any(later =>
                    later.TenantId == o.TenantId && later.SubscriptionId == o.SubscriptionId && later.EventNumber > o.EventNumber)))
            .OrderBy(o => o.DeliveredAt)
            .Select(o => o.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return 0;
        }

        return await db.SubscriptionOutbox
            .Where(o => batch.Contains(o.Sequence) && o.DeliveredAt != null)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
