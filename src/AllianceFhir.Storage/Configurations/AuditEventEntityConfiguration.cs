using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AllianceFhir.Storage.Configurations;

/// <summary>
/// The AuditEvent table: every read appends a row, so it has only the lookup indexes an auditor's searches need
/// (docs/performance.md: a narrow row with four lookups cost the writer a tenth of an AuditEvent resource with its
/// 16 index rows). Time ranges, a user's trail and reads by id seek; the other columns filter what those find.
/// </summary>
internal sealed class AuditEventEntityConfiguration : IEntityTypeConfiguration<AuditEventEntity>
{
    public void Configure(EntityTypeBuilder<AuditEventEntity> builder)
    {
        builder.ToTable("AuditEvents");
        builder.HasKey(a => a.Surrogate);
        builder.Property(a => a.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(a => a.EventId).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(a => a.Subtype).HasMaxLength(32);
        builder.Property(a => a.Action).HasMaxLength(1);
        builder.Property(a => a.Outcome).HasMaxLength(2);
        builder.Property(a => a.UserId).HasMaxLength(ColumnLengths.Token);
        builder.Property(a => a.ClientId).HasMaxLength(ColumnLengths.Token);
        builder.Property(a => a.Address).HasMaxLength(ColumnLengths.Token);

        builder.HasIndex(a => new { a.TenantId, a.EventId }).IsUnique().HasDatabaseName("UX_AuditEvents_Id");
        builder.HasIndex(a => new { a.TenantId, a.Recorded }).HasDatabaseName("IX_AuditEvents_Recorded");
        builder.HasIndex(a => new { a.TenantId, a.UserId, a.Recorded }).HasDatabaseName("IX_AuditEvents_User");
    }
}

internal sealed class AuditEventTargetEntityConfiguration : IEntityTypeConfiguration<AuditEventTargetEntity>
{
    public void Configure(EntityTypeBuilder<AuditEventTargetEntity> builder)
    {
        builder.ToTable("AuditEventTargets");
        builder.HasKey(t => new { t.AuditSurrogate, t.TargetType, t.TargetId });
        builder.Property(t => t.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(t => t.TargetType).HasMaxLength(ColumnLengths.ResourceType);
        builder.Property(t => t.TargetId).HasMaxLength(ColumnLengths.ResourceId);

        // "Every audit of Patient/x": one seek, in write order.
        builder.HasIndex(t => new { t.TenantId, t.TargetType, t.TargetId, t.AuditSurrogate }).HasDatabaseName("IX_AuditEventTargets_Target");
    }
}

/// <summary>No index at all: the staged rows are few (the committer moves them on every few thousand) and only append.</summary>
internal sealed class AuditEventStagedTargetEntityConfiguration : IEntityTypeConfiguration<AuditEventStagedTargetEntity>
{
    public void Configure(EntityTypeBuilder<AuditEventStagedTargetEntity> builder)
    {
        builder.ToTable("AuditEventTargetsStaged");
        builder.HasKey(t => t.Position);

        // The rowid itself (INTEGER PRIMARY KEY), without AUTOINCREMENT's sqlite_sequence update on every insert: the
        // committer never names it, and the table is emptied on every merge, so reusing positions is harmless.
        builder.Property(t => t.Position).ValueGeneratedNever();
        builder.Property(t => t.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(t => t.TargetType).HasMaxLength(ColumnLengths.ResourceType);
        builder.Property(t => t.TargetId).HasMaxLength(ColumnLengths.ResourceId);
    }
}
