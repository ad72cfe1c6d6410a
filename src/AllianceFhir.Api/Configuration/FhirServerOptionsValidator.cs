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
        RuleFor(o => o.PublicBaseUrl)
            .Must(IsBaseUrl)
            .When(o => !string.IsNullOrEmpty(o.PublicBaseUrl))
            .OverridePropertyName("Fhir:PublicBaseUrl")
            .WithMessage("Fhir:PublicBaseUrl must be an absolute http or https URL without query or fragment, such as https://fhir.example.org/fhir");
    }

    private static bool IsBaseUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Query.Length == 0
        && uri.Fragment.Length == 0
        && uri.UserInfo.Length == 0;
}
