using AllianceFhir.Core.Storage;
using AllianceFhir.Storage;
using FluentValidation;

namespace AllianceFhir.Api.Configuration;

/// <summary>Checks the storage settings at start-up so a typo fails the start with the setting's name, not a later query.</summary>
public sealed class StorageOptionsValidator : AbstractValidator<StorageOptions>
{
    public StorageOptionsValidator()
    {
        RuleFor(o => o.Provider).IsInEnum().OverridePropertyName("Storage:Provider")
            .WithMessage("Storage:Provider must be Sqlite or SqlServer");
        RuleFor(o => o.Synchronous).IsInEnum().OverridePropertyName("Storage:Synchronous")
            .WithMessage("Storage:Synchronous must be Normal or Full");
        RuleFor(o => o.TenantId).NotEmpty().MaximumLength(Tenants.MaxLength).NotEqual(Tenants.Catalog).OverridePropertyName("Storage:TenantId");
        RuleFor(o => o.ConnectionString)
            .NotEmpty()
            .When(o => o.Provider == StorageProvider.SqlServer)
            .OverridePropertyName("ConnectionStrings:Fhir")
            .WithMessage("ConnectionStrings:Fhir is required when Storage:Provider is SqlServer");
    }
}
