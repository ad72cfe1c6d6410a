using FluentValidation;

namespace AllianceFhir.Api.Export;

public sealed class ExportOptionsValidator : AbstractValidator<ExportOptions>
{
    public ExportOptionsValidator()
    {
        RuleFor(o => o.Folder).NotEmpty().OverridePropertyName("Export:Folder");
        RuleFor(o => o.RetentionSeconds).GreaterThan(0).OverridePropertyName("Export:RetentionSeconds");
        RuleFor(o => o.PageSize).InclusiveBetween(1, 100_000).OverridePropertyName("Export:PageSize");
        RuleFor(o => o.LeaseSeconds).GreaterThan(0).OverridePropertyName("Export:LeaseSeconds");
        RuleFor(o => o.PollMilliseconds).GreaterThan(0).OverridePropertyName("Export:PollMilliseconds");
    }
}
