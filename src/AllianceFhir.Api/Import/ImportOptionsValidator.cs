using FluentValidation;

namespace AllianceFhir.Api.Import;

public sealed class ImportOptionsValidator : AbstractValidator<ImportOptions>
{
    public ImportOptionsValidator()
    {
        RuleFor(o => o.Folder).NotEmpty().OverridePropertyName("Import:Folder");
        RuleFor(o => o.BatchSize).InclusiveBetween(1, 10_000).OverridePropertyName("Import:BatchSize");
        RuleFor(o => o.MaxLineBytes).GreaterThan(0).OverridePropertyName("Import:MaxLineBytes");
        RuleFor(o => o.MaxUploadBytes).GreaterThan(0).OverridePropertyName("Import:MaxUploadBytes");
        RuleFor(o => o.LeaseSeconds).GreaterThan(0).OverridePropertyName("Import:LeaseSeconds");
        RuleFor(o => o.PollMilliseconds).GreaterThan(0).OverridePropertyName("Import:PollMilliseconds");
        RuleForEach(o => o.AllowedUrlPrefixes)
            .Must(p => Uri.TryCreate(p, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            .WithMessage("each prefix must be an absolute http(s) URL")
            .OverridePropertyName("Import:AllowedUrlPrefixes");
    }
}
