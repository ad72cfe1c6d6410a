using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AllianceFhir.Storage.Configurations;

internal sealed class ResourceEntityConfiguration(string currentVersionFilter) : IEntityTypeConfiguration<ResourceEntity>
{
    public void Configure(EntityTypeBuilder<ResourceEntity> builder)
    {
        builder.ToTable("Resources");
        builder.HasKey(r => r.Surrogate);
        builder.Property(r => r.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(r => r.ResourceType).HasMaxLength(ColumnLengths.ResourceType);
        builder.Property(r => r.ResourceId).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(r => r.Method).HasMaxLength(8);

        // The database, not the application, guarantees that two writers cannot both create version N.
        builder.HasIndex(r => new { r.TenantId, r.ResourceType, r.ResourceId, r.VersionId })
            .IsUnique()
            .HasDatabaseName("UX_Resources_Version");

        // Current-version reads are one seek, and there is only ever one current row per resource.
        builder.HasIndex(r => new { r.TenantId, r.ResourceType, r.ResourceId })
            .IsUnique()
            .HasFilter(currentVersionFilter)
            .HasDatabaseName("UX_Resources_Current");

        // Type- and system-level history, newest first.
        builder.HasIndex(r => new { r.TenantId, r.ResourceType, r.Surrogate }).HasDatabaseName("IX_Resources_TypeHistory");
        builder.HasIndex(r => new { r.TenantId, r.Surrogate }).HasDatabaseName("IX_Resources_SystemHistory");
    }
}
