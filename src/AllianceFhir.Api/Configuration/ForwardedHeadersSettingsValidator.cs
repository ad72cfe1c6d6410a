using System.Net;
using FluentValidation;

namespace AllianceFhir.Api.Configuration;

public sealed class ForwardedHeadersSettingsValidator : AbstractValidator<ForwardedHeadersSettings>
{
    public ForwardedHeadersSettingsValidator()
    {
        RuleForEach(o => o.KnownProxies)
            .Must(p => IPAddress.TryParse(p, out _))
            .OverridePropertyName("ForwardedHeaders:KnownProxies")
            .WithMessage("ForwardedHeaders:KnownProxies: '{PropertyValue}' is not an IP address");
        RuleForEach(o => o.KnownNetworks)
            .Must(n => IPNetwork.TryParse(n, out _))
            .OverridePropertyName("ForwardedHeaders:KnownNetworks")
            .WithMessage("ForwardedHeaders:KnownNetworks: '{PropertyValue}' is not a network in CIDR form such as 10.0.0.0/24");
    }
}
