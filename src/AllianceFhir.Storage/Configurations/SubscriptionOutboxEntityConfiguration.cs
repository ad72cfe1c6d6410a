using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AllianceFhir.Storage.Configurations;

internal sealed class SubscriptionOutboxEntityConfiguration : IEntityTypeConfiguration<SubscriptionOutboxEntity>
{
    public void Configure(EntityTypeBuilder<SubscriptionOutboxEntity> builder)
    {
        builder.ToTable("SubscriptionOutbox");
        builder.HasKey(o => o.Sequence);
        builder.Property(o => o.Sequence).ValueGeneratedOnAdd();
        builder.Property(o => o.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(o => o.SubscriptionId).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(o => o.Kind).HasMaxLength(16);
        builder.Property(o => o.ResourceType).HasMaxLength(ColumnLengths.ResourceType);
        builder.Property(o => o.ResourceId).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(o => o.LastError).HasMaxLength(1000);

        // The dispatcher finds subscriptions with undelivered rows, then walks one subscription's rows in commit order.
        builder.HasIndex(o => new { o.DeliveredAt, o.TenantId, o.SubscriptionId });
        builder.HasIndex(o => new { o.TenantId, o.SubscriptionId, o.DeliveredAt, o.Sequence });

        // A subscription's event count is its highest event number (a seek here, not a scan of its rows), and the purge
        // keeps that row by asking whether a higher one exists.
        builder.HasIndex(o => new { o.TenantId, o.SubscriptionId, o.EventNumber });
    }
}

internal sealed class DispatchLeaseEntityConfiguration : IEntityTypeConfiguration<DispatchLeaseEntity>
{
    public void Configure(EntityTypeBuilder<DispatchLeaseEntity> builder)
    {
        builder.ToTable("DispatchLeases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(64);
        builder.Property(l => l.Owner).HasMaxLength(64);
    }
}
