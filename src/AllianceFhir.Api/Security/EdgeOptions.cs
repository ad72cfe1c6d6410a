using FluentValidation;

namespace AllianceFhir.Api.Security;

/// <summary>The <c>Cors</c> section: browser SMART apps are served only from these origins.</summary>
public sealed class CorsSettings
{
    public const string SectionName = "Cors";

    /// <summary>Origins such as <c>https://app.example.org</c>; none means no cross-origin access.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>The <c>RateLimit</c> section: requests per client (and tenant) per window.</summary>
public sealed class RateLimitSettings
{
    public const string SectionName = "RateLimit";

    public int PermitLimit { get; set; } = 600;

    public int WindowSeconds { get; set; } = 60;
}

public sealed class CorsSettingsValidator : AbstractValidator<CorsSettings>
{
    public CorsSettingsValidator()
    {
        RuleForEach(o => o.AllowedOrigins)
            .Must(o => Uri.TryCreate(o, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && !o.EndsWith('/'))
            .OverridePropertyName("Cors:AllowedOrigins")
            .WithMessage((_, origin) => $"Cors:AllowedOrigins '{origin}' is not an origin (scheme://host[:port], no path or trailing slash)");
    }
}

public sealed class RateLimitSettingsValidator : AbstractValidator<RateLimitSettings>
{
    public RateLimitSettingsValidator()
    {
        RuleFor(o => o.PermitLimit).GreaterThan(0).OverridePropertyName("RateLimit:PermitLimit");
        RuleFor(o => o.WindowSeconds).GreaterThan(0).OverridePropertyName("RateLimit:WindowSeconds");
    }
}
