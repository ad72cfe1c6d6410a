using System.Globalization;
using FluentValidation;
using FluentValidation.Results;
using Hl7.Fhir.Model;

namespace AllianceFhir.Spreadsheets;

/// <summary>A row with what the import resolved for it: its instrument's Questionnaire (null when unknown).</summary>
public sealed record ImportRowInput(SpreadsheetRow Row, Questionnaire? Questionnaire, SpreadsheetSettings Settings, DateTimeOffset Now)
{
    public string? PatientSystem => Row[ImportColumns.PatientSystem] ?? Settings.DefaultPatientIdentifierSystem;
}

/// <summary>
/// The checks of one row, each failure named by its column (the property name): who, when, which instrument, and every
/// answer against the instrument's items. Rows are checked on their own; duplicates across rows are found by the import.
/// </summary>
public sealed class ImportRowValidator : AbstractValidator<ImportRowInput>
{
    public ImportRowValidator()
    {
        RuleFor(r => r.Row[ImportColumns.Patient])
            .NotEmpty().WithMessage("the patient identifier is missing")
            .OverridePropertyName(ImportColumns.Patient);
        RuleFor(r => r.PatientSystem)
            .NotEmpty().WithMessage("the patient identifier system is missing (and Import:DefaultPatientIdentifierSystem is not set)")
            .Must(s => Uri.IsWellFormedUriString(s, UriKind.Absolute)).WithMessage(r => $"'{r.PatientSystem}' is not an absolute URI")
            .When(r => r.Row[ImportColumns.Patient] is not null)
            .OverridePropertyName(ImportColumns.PatientSystem);
        RuleFor(r => r.Row[ImportColumns.Instrument])
            .NotEmpty().WithMessage("the instrument is missing")
            .OverridePropertyName(ImportColumns.Instrument);
        RuleFor(r => r.Questionnaire)
            .NotNull().WithMessage(r => $"'{r.Row[ImportColumns.Instrument]}' is not an instrument on this server (wai-sr, srs, ors, haq-ii, or a Questionnaire's canonical URL)")
            .When(r => r.Row[ImportColumns.Instrument] is not null)
            .OverridePropertyName(ImportColumns.Instrument);
        RuleFor(r => r.Row[ImportColumns.Session])
            .Must(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            .WithMessage(r => $"'{r.Row[ImportColumns.Session]}' is not a session number (1, 2, …)")
            .When(r => r.Row[ImportColumns.Session] is not null)
            .OverridePropertyName(ImportColumns.Session);
        RuleFor(r => r).Custom((input, context) =>
        {
            var (_, column, error) = AuthoredTime.Parse(input.Row, input.Settings, input.Now);
            if (error is not null)
            {
                context.AddFailure(new ValidationFailure(column, error));
            }
        });
        RuleFor(r => r).Custom(CheckAnswers).When(r => r.Questionnaire is not null);
    }

    private static void CheckAnswers(ImportRowInput input, ValidationContext<ImportRowInput> context)
    {
        var items = Answerable(input.Questionnaire!.Item).ToList();
        var known = new HashSet<string>(items.Select(i => i.LinkId ?? string.Empty), StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var text = input.Row[item.LinkId ?? string.Empty];
            if (text is null)
            {
                if (item.Required == true)
                {
                    context.AddFailure(new ValidationFailure(item.LinkId, $"item {item.LinkId} is required and has no answer"));
                }

                continue;
            }

            if (AnswerCell.Parse(item, text).Error is { } error)
            {
                context.AddFailure(new ValidationFailure(item.LinkId, error));
            }
        }

        // A value under a heading the instrument does not have is most likely a misnamed column: say so, not drop it.
        foreach (var (column, value) in input.Row.Cells)
        {
            if (!string.IsNullOrWhiteSpace(value) && !ImportColumns.Fields.Contains(column) && !known.Contains(column))
            {
                context.AddFailure(new ValidationFailure(column, $"column '{column}' is neither a row field nor an item of {input.Questionnaire.Url}"));
            }
        }
    }

    /// <summary>The answerable items in order, through groups.</summary>
    public static IEnumerable<Questionnaire.ItemComponent> Answerable(IEnumerable<Questionnaire.ItemComponent> items) =>
        items.SelectMany(i => AnswerCell.IsAnswerable(i) ? [i] : Answerable(i.Item));
}
