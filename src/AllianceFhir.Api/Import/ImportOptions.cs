using FluentValidation;

namespace AllianceFhir.Api.Import;

/// <summary>The <c>Import</c> section: defaults and bounds for <c>QuestionnaireResponse/$import-spreadsheet</c>.</summary>
public sealed class ImportOptions
{
    public const string SectionName = "Import";

    /// <summary>The identifier system of the <c>patient</c> column when a row has no <c>patient_system</c>.</summary>
    public string? DefaultPatientIdentifierSystem { get; set; }

    /// <summary>The IANA zone of a row's time when the row names no <c>timezone</c>.</summary>
    public string ClinicTimeZone { get; set; } = "UTC";

    /// <summary>Uploads above this many bytes are refused with 413.</summary>
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Files with more data rows are refused with 413: the report holds a part per row.</summary>
    public int MaxRows { get; set; } = 10_000;
}

public sealed class ImportOptionsValidator : AbstractValidator<ImportOptions>
{
    public ImportOptionsValidator()
    {
        RuleFor(o => o.DefaultPatientIdentifierSystem)
            .Must(s => s is null || Uri.IsWellFormedUriString(s, UriKind.Absolute))
            .WithMessage("Import:DefaultPatientIdentifierSystem must be an absolute URI");
        RuleFor(o => o.ClinicTimeZone)
            .Must(z => TimeZoneInfo.TryFindSystemTimeZoneById(z, out _))
            .WithMessage("Import:ClinicTimeZone must be a time zone id this machine knows (e.g. Europe/Zurich)");
        RuleFor(o => o.MaxUploadBytes).GreaterThan(0).OverridePropertyName("Import:MaxUploadBytes");
        RuleFor(o => o.MaxRows).GreaterThan(0).OverridePropertyName("Import:MaxRows");
    }
}
