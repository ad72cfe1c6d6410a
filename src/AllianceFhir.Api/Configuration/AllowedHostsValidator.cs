using FluentValidation;
using Microsoft.AspNetCore.HostFiltering;

namespace AllianceFhir.Api.Configuration;

/// <summary>
/// Outside Development the service answers only the Host names it is configured for (<c>AllowedHosts</c>): with
/// <c>*</c>, any client-chosen Host would be accepted and could end up in the URLs it hands out.
/// </summary>
public sealed class AllowedHostsValidator : AbstractValidator<HostFilteringOptions>
{
    public AllowedHostsValidator(IHostEnvironment environment)
    {
        RuleFor(o => o.AllowedHosts)
            .Must(hosts => hosts.Count > 0 && !hosts.Any(h => h.Trim() == "*"))
            .When(_ => !environment.IsDevelopment())
            .OverridePropertyName("AllowedHosts")
            .WithMessage("AllowedHosts is '*' (any Host header) outside Development; set it to the host names clients use, separated by ';' (e.g. fhir.example.org;localhost)");
    }
}
