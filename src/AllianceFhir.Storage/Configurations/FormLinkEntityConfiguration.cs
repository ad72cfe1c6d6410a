using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AllianceFhir.Storage.Configurations;

internal sealed class FormLinkEntityConfiguration : IEntityTypeConfiguration<FormLinkEntity>
{
    public void Configure(EntityTypeBuilder<FormLinkEntity> builder)
    {
        builder.ToTable("FormLinks");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Id).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(l => l.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(l => l.TokenHash).HasMaxLength(ColumnLengths.ConditionHash);
        builder.Property(l => l.Questionnaire).HasMaxLength(ColumnLengths.Uri);
        builder.Property(l => l.PatientId).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(l => l.EncounterId).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(l => l.CreatedBy).HasMaxLength(ColumnLengths.Token);
        builder.Property(l => l.ResponseId).HasMaxLength(ColumnLengths.ResourceId);

        // Every page view and submission looks its link up by the token's hash.
        builder.HasIndex(l => l.TokenHash).IsUnique();
    }
}
