using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AllianceFhir.Storage.Configurations;

internal sealed class ConditionClaimEntityConfiguration : IEntityTypeConfiguration<ConditionClaimEntity>
{
    public void Configure(EntityTypeBuilder<ConditionClaimEntity> builder)
    {
        builder.ToTable("ConditionClaims");

        // The key is the guarantee: a second writer of the same condition fails on it, in its own transaction.
        builder.HasKey(c => new { c.TenantId, c.ResourceType, c.ConditionHash });
        builder.Property(c => c.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(c => c.ResourceType).HasMaxLength(ColumnLengths.ResourceType);
        builder.Property(c => c.ConditionHash).HasMaxLength(ColumnLengths.ConditionHash).IsUnicode(false).IsFixedLength();
        builder.Property(c => c.ResourceId).HasMaxLength(ColumnLengths.ResourceId);
    }
}
