using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AllianceFhir.Storage.Configurations;

/// <summary>
/// Every index table leads its lookup index with the parameter's key (a hash of tenant, type and parameter:
/// <see cref="ParamKeys"/>) so a search on one parameter is a range scan of that parameter's rows, and has an index on
/// the resource surrogate to replace a resource's rows on update.
/// </summary>
internal abstract class SearchIndexConfiguration<T>(string table) : IEntityTypeConfiguration<T>
    where T : SearchIndexEntity
{
    public void Configure(EntityTypeBuilder<T> builder)
    {
        builder.ToTable(table);
        builder.HasKey(e => e.Id);
        builder.Property(e => e.TenantId).HasMaxLength(ColumnLengths.TenantId);
        builder.Property(e => e.ResourceType).HasMaxLength(ColumnLengths.ResourceType);
        builder.Property(e => e.ParamName).HasMaxLength(ColumnLengths.ParamName);
        // (resource, parameter): replacing a resource's rows on update, and the per-resource lookups of the search
        // engine (sort keys, correlated EXISTS for the criteria that do not drive the query).
        builder.HasIndex(e => new { e.ResourceSurrogate, e.ParamName }).HasDatabaseName($"IX_{table}_Resource");
        builder.HasOne(e => e.Resource).WithMany().HasForeignKey(e => e.ResourceSurrogate).OnDelete(DeleteBehavior.Cascade);
        ConfigureValues(builder);
    }

    protected abstract void ConfigureValues(EntityTypeBuilder<T> builder);
}

internal sealed class TokenIndexConfiguration() : SearchIndexConfiguration<TokenIndexEntity>("TokenIndex")
{
    protected override void ConfigureValues(EntityTypeBuilder<TokenIndexEntity> builder)
    {
        builder.Property(e => e.System).HasMaxLength(ColumnLengths.Uri);
        builder.Property(e => e.Code).HasMaxLength(ColumnLengths.Token);
        builder.HasIndex(e => new { e.ParamKey, e.Code, e.System, e.ResourceSurrogate })
            .HasDatabaseName("IX_TokenIndex_Lookup");
    }
}

internal sealed class StringIndexConfiguration() : SearchIndexConfiguration<StringIndexEntity>("StringIndex")
{
    protected override void ConfigureValues(EntityTypeBuilder<StringIndexEntity> builder)
    {
        builder.Property(e => e.Normalized).HasMaxLength(ColumnLengths.StringValue);
        builder.HasIndex(e => new { e.ParamKey, e.Normalized, e.ResourceSurrogate })
            .HasDatabaseName("IX_StringIndex_Lookup");
    }
}

internal sealed class DateIndexConfiguration() : SearchIndexConfiguration<DateIndexEntity>("DateIndex")
{
    protected override void ConfigureValues(EntityTypeBuilder<DateIndexEntity> builder)
    {
        builder.HasIndex(e => new { e.ParamKey, e.Start, e.End, e.ResourceSurrogate })
            .HasDatabaseName("IX_DateIndex_Lookup");

        // gt/ge/le/sa compare the end of a value's range; this lets them seek too.
        builder.HasIndex(e => new { e.ParamKey, e.End, e.Start, e.ResourceSurrogate })
            .HasDatabaseName("IX_DateIndex_End");
    }
}

internal sealed class ReferenceIndexConfiguration(string urlFilter) : SearchIndexConfiguration<ReferenceIndexEntity>("ReferenceIndex")
{
    protected override void ConfigureValues(EntityTypeBuilder<ReferenceIndexEntity> builder)
    {
        builder.Property(e => e.TargetType).HasMaxLength(ColumnLengths.ResourceType);
        builder.Property(e => e.TargetId).HasMaxLength(ColumnLengths.ResourceId);
        builder.Property(e => e.Url).HasMaxLength(ColumnLengths.Uri);
        builder.Property(e => e.Version).HasMaxLength(ColumnLengths.Token);
        builder.HasIndex(e => new { e.ParamKey, e.TargetId, e.TargetType, e.ResourceSurrogate })
            .HasDatabaseName("IX_ReferenceIndex_Lookup");

        // Only canonical and absolute references have a URL. Without the filter every local reference also entered this
        // index under (key, NULL), dirtying one more page per parameter per commit: a tenth of a submit's WAL frames
        // (issue 11). Every query on it compares Url, which implies the filter, so the planners still pick it.
        builder.HasIndex(e => new { e.ParamKey, e.Url, e.Version, e.ResourceSurrogate })
            .HasFilter(urlFilter)
            .HasDatabaseName("IX_ReferenceIndex_Url");
    }
}

internal sealed class UriIndexConfiguration() : SearchIndexConfiguration<UriIndexEntity>("UriIndex")
{
    protected override void ConfigureValues(EntityTypeBuilder<UriIndexEntity> builder)
    {
        builder.Property(e => e.Uri).HasMaxLength(ColumnLengths.Uri);
        builder.Property(e => e.Version).HasMaxLength(ColumnLengths.Token);
        builder.HasIndex(e => new { e.ParamKey, e.Uri, e.Version, e.ResourceSurrogate })
            .HasDatabaseName("IX_UriIndex_Lookup");
    }
}

internal sealed class NumberIndexConfiguration() : SearchIndexConfiguration<NumberIndexEntity>("NumberIndex")
{
    protected override void ConfigureValues(EntityTypeBuilder<NumberIndexEntity> builder)
    {
        builder.Property(e => e.Value).HasMaxLength(64);
        builder.HasIndex(e => new { e.ParamKey, e.Low, e.High, e.ResourceSurrogate })
            .HasDatabaseName("IX_NumberIndex_Lookup");
    }
}

internal sealed class QuantityIndexConfiguration() : SearchIndexConfiguration<QuantityIndexEntity>("QuantityIndex")
{
    protected override void ConfigureValues(EntityTypeBuilder<QuantityIndexEntity> builder)
    {
        builder.Property(e => e.System).HasMaxLength(ColumnLengths.Uri);
        builder.Property(e => e.Code).HasMaxLength(ColumnLengths.Token);
        builder.Property(e => e.Value).HasMaxLength(64);
        builder.HasIndex(e => new { e.ParamKey, e.Code, e.Low, e.High, e.ResourceSurrogate })
            .HasDatabaseName("IX_QuantityIndex_Lookup");
    }
}
