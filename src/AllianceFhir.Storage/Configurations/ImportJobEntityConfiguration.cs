using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AllianceFhir.Storage.Configurations;

internal sealed class ImportJobEntityConfiguration : IEntityTypeConfiguration<ImportJobEntity>
{
    public void Configure(EntityTypeBuilder<ImportJobEntity> builder)
    {
        builder.ToTable("ImportJobs");
        builder.HasKey(j => j.Id);
        builder.Property(j => j.Id).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(j => j.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(j => j.Status).HasMaxLength(16);
        builder.Property(j => j.LeaseOwner).HasMaxLength(64);
        builder.Property(j => j.Failure).HasMaxLength(1000);

        // Workers look for queued jobs and for running ones whose lease ran out.
        builder.HasIndex(j => new { j.Status, j.LeaseUntil });
    }
}
