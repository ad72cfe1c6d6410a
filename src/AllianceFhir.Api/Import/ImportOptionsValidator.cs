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
        RuleFor(o => o.DefaultPatientIdentifierSystem)
            .Must(s => s is null || Uri.IsWellFormedUriString(s, UriKind.Absolute))
            .WithMessage("Import:DefaultPatientIdentifierSystem must be an absolute URI");
        RuleFor(o => o.ClinicTimeZone)
            .Must(z => TimeZoneInfo.TryFindSystemTimeZoneById(z, out _))
            .WithMessage("Import:ClinicTimeZone must be a time zone id this machine knows (e.g. Europe/Zurich)");
        RuleFor(o => o.MaxSpreadsheetBytes).GreaterThan(0).OverridePropertyName("Import:MaxSpreadsheetBytes");
        RuleFor(o => o.MaxSpreadsheetRows).GreaterThan(0).OverridePropertyName("Import:MaxSpreadsheetRows");
    }
}
