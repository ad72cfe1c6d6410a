using FluentValidation;

namespace AllianceFhir.Api.App;

public sealed class AppOptionsValidator : AbstractValidator<AppOptions>
{
    public AppOptionsValidator()
    {
        RuleFor(o => o.LFormsFolder).NotEmpty().OverridePropertyName("App:LFormsFolder");
        RuleFor(o => o.FormLinkMaxDays).InclusiveBetween(1, 365).OverridePropertyName("App:FormLinkMaxDays");
        RuleFor(o => o.FormLinkDefaultDays).InclusiveBetween(1, 365).OverridePropertyName("App:FormLinkDefaultDays");
        RuleFor(o => o.FormLinkDefaultDays).LessThanOrEqualTo(o => o.FormLinkMaxDays)
            .WithMessage("App:FormLinkDefaultDays must not be longer than App:FormLinkMaxDays");
    }
}
