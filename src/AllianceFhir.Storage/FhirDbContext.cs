using AllianceFhir.Storage.Configurations;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// The FHIR store's schema. Provider-specific subclasses exist only so each provider keeps its own migrations;
/// the model is the same.
/// </summary>
public abstract class FhirDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<ResourceEntity> Resources => Set<ResourceEntity>();

    public DbSet<TokenIndexEntity> TokenIndex => Set<TokenIndexEntity>();

    public DbSet<StringIndexEntity> StringIndex => Set<StringIndexEntity>();

    public DbSet<DateIndexEntity> DateIndex => Set<DateIndexEntity>();

    public DbSet<ReferenceIndexEntity> ReferenceIndex => Set<ReferenceIndexEntity>();

    public DbSet<UriIndexEntity> UriIndex => Set<UriIndexEntity>();

    public DbSet<NumberIndexEntity> NumberIndex => Set<NumberIndexEntity>();

    public DbSet<QuantityIndexEntity> QuantityIndex => Set<QuantityIndexEntity>();

    public DbSet<ConditionClaimEntity> ConditionClaims => Set<ConditionClaimEntity>();

    public DbSet<ImportJobEntity> ImportJobs => Set<ImportJobEntity>();

    public DbSet<SubscriptionOutboxEntity> SubscriptionOutbox => Set<SubscriptionOutboxEntity>();

    public DbSet<DispatchLeaseEntity> DispatchLeases => Set<DispatchLeaseEntity>();
    public DbSet<ExportJobEntity> ExportJobs => Set<ExportJobEntity>();
    public DbSet<FormLinkEntity> FormLinks => Set<FormLinkEntity>();
    public DbSet<AuditEventEntity> AuditEvents => Set<AuditEventEntity>();
    public DbSet<AuditEventTargetEntity> AuditEventTargets => Set<AuditEventTargetEntity>();
    public DbSet<AuditEventStagedTargetEntity> AuditEventTargetsStaged => Set<AuditEventStagedTargetEntity>();

    /// <summary>The filter of the "one current version per resource" index, in the provider's SQL dialect.</summary>
    protected abstract string CurrentVersionFilter { get; }

    /// <summary>The filter of the reference index's URL lookup (rows that have a URL), in the provider's SQL dialect.</summary>
    protected abstract string ReferenceUrlFilter { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new ResourceEntityConfiguration(CurrentVersionFilter));
        modelBuilder.ApplyConfiguration(new TokenIndexConfiguration());
        modelBuilder.ApplyConfiguration(new StringIndexConfiguration());
        modelBuilder.ApplyConfiguration(new DateIndexConfiguration());
        modelBuilder.ApplyConfiguration(new ReferenceIndexConfiguration(ReferenceUrlFilter));
        modelBuilder.ApplyConfiguration(new UriIndexConfiguration());
        modelBuilder.ApplyConfiguration(new NumberIndexConfiguration());
        modelBuilder.ApplyConfiguration(new QuantityIndexConfiguration());
        modelBuilder.ApplyConfiguration(new ConditionClaimEntityConfiguration());
        modelBuilder.ApplyConfiguration(new ImportJobEntityConfiguration());
        modelBuilder.ApplyConfiguration(new SubscriptionOutboxEntityConfiguration());
        modelBuilder.ApplyConfiguration(new DispatchLeaseEntityConfiguration());
        modelBuilder.ApplyConfiguration(new ExportJobEntityConfiguration());
        modelBuilder.ApplyConfiguration(new FormLinkEntityConfiguration());
        modelBuilder.ApplyConfiguration(new AuditEventEntityConfiguration());
        modelBuilder.ApplyConfiguration(new AuditEventTargetEntityConfiguration());
        modelBuilder.ApplyConfiguration(new AuditEventStagedTargetEntityConfiguration());
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every DateTime in this schema is UTC; say so when reading it back, or callers see Kind=Unspecified.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
