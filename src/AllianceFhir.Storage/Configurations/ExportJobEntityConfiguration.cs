using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AllianceFhir.Storage.Configurations;

internal sealed class ExportJobEntityConfiguration : IEntityTypeConfiguration<ExportJobEntity>
{
    public void Configure(EntityTypeBuilder<ExportJobEntity> builder)
    {
        builder.ToTable("ExportJobs");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.Id).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(j => j.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(j => j.Status).HasMaxLength(16);
        builder.Property(j => j.LeaseOwner).HasMaxLength(64);
        builder.Property(j => j.Failure).HasMaxLength(1000);

        // Workers look for queued jobs and for running ones whose lease ran out; the cleaner for expired ones.
        builder.HasIndex(j => new { j.Status, j.LeaseUntil });
        builder.HasIndex(j => j.ExpiresAt);
    }
}
