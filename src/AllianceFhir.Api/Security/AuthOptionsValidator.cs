using FluentValidation;

namespace AllianceFhir.Api.Security;

/// <summary>Fails the start on a missing or unusable authority, naming the setting, rather than at the first request.</summary>
public sealed class AuthOptionsValidator : AbstractValidator<AuthOptions>
{
    public AuthOptionsValidator(IHostEnvironment environment)
    {
        RuleFor(o => o.Authority)
            .NotEmpty()
            .Unless(_ => environment.IsDevelopment())
            .OverridePropertyName("Auth:Authority")
            .WithMessage($"Auth:Authority is required in the '{environment.EnvironmentName}' environment: set Auth__Authority to the issuer URL "
                + "of your authorization server (only a Development server may run open, without tokens)");

        When(o => !o.IsOpen, () =>
        {
            RuleFor(o => o.Authority)
                .Must((o, authority) => IsUrl(authority, o.RequireHttpsMetadata))
                .OverridePropertyName("Auth:Authority")
                .WithMessage(o => $"Auth:Authority '{o.Authority}' must be an absolute https URL (http only with Auth:RequireHttpsMetadata=false, for a test IdP)");
            RuleFor(o => o.Audience)
                .NotEmpty()
                .OverridePropertyName("Auth:Audience")
                .WithMessage("Auth:Audience is required with Auth:Authority: the aud value tokens must carry, usually this server's FHIR base URL");
        });

        RuleFor(o => o.TenantClaim).NotEmpty().OverridePropertyName("Auth:TenantClaim");
        RuleFor(o => o.PatientClaim).NotEmpty().OverridePropertyName("Auth:PatientClaim");
        RuleFor(o => o.AuthorizationEndpoint).Must(u => u is null || IsUrl(u, requireHttps: false))
            .OverridePropertyName("Auth:AuthorizationEndpoint").WithMessage("Auth:AuthorizationEndpoint must be an absolute URL");
        RuleFor(o => o.TokenEndpoint).Must(u => u is null || IsUrl(u, requireHttps: false))
            .OverridePropertyName("Auth:TokenEndpoint").WithMessage("Auth:TokenEndpoint must be an absolute URL");
        RuleFor(o => o.JwksUri).Must(u => u is null || IsUrl(u, requireHttps: false))
            .OverridePropertyName("Auth:JwksUri").WithMessage("Auth:JwksUri must be an absolute URL");
    }

    private static bool IsUrl(string? text, bool requireHttps) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (!requireHttps && uri.Scheme == Uri.UriSchemeHttp));
}
