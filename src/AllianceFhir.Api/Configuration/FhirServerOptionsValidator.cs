using FluentValidation;

namespace AllianceFhir.Api.Configuration;

public sealed class FhirServerOptionsValidator : AbstractValidator<FhirServerOptions>
{
    public FhirServerOptionsValidator()
    {
        RuleFor(o => o.MaxRequestBodyBytes).GreaterThan(0).OverridePropertyName("Fhir:MaxRequestBodyBytes");
        RuleFor(o => o.MaxBundleEntries).GreaterThan(0).OverridePropertyName("Fhir:MaxBundleEntries");
        RuleFor(o => o.ReferentialIntegrityOnDelete).IsInEnum().OverridePropertyName("Fhir:ReferentialIntegrityOnDelete")
            .WithMessage("Fhir:ReferentialIntegrityOnDelete must be Enforce or Off");
    }
}
