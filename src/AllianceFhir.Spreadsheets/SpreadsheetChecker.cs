using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Resolution;
using FluentValidation;
using Hl7.Fhir.Model;

namespace AllianceFhir.Spreadsheets;

/// <summary>A row after checking: the response it becomes, or why it cannot.</summary>
public sealed record CheckedRow(SpreadsheetRow Row, ImportedResponse? Response, IReadOnlyList<RowError> Errors);

/// <summary>
/// Checks every row of a sheet without writing anything: its fields and answers (<see cref="ImportRowValidator"/>), its
/// identity against the rows before it (a duplicate names the first), then the response it becomes through the
/// instrument pipeline as <c>$validate</c> runs it. The server runs this before it writes any row; the CLI runs it
/// offline over the shipped catalog, so both give the same messages.
/// </summary>
public sealed class SpreadsheetChecker(QuestionnaireResponseProcessor processor, IValidator<ImportRowInput> validator)
{
    /// <param name="reader">Where instruments are resolved: the store on the server, the catalog offline.</param>
    public async Task<IReadOnlyList<CheckedRow>> CheckAsync(
        IReadOnlyList<SpreadsheetRow> rows, SpreadsheetSettings settings, DateTimeOffset now, IResourceReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var questionnaires = new Dictionary<string, Questionnaire?>(StringComparer.OrdinalIgnoreCase);
        var checkedRows = new List<CheckedRow>(rows.Count);
        var firstRowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var questionnaire = row[ImportColumns.Instrument] is { } instrument
                ? await ResolveAsync(instrument, questionnaires, reader, cancellationToken)
                : null;
            var input = new ImportRowInput(row, questionnaire, settings, now);
            var result = await validator.ValidateAsync(input, cancellationToken);
            var errors = result.Errors.Select(e => new RowError(e.PropertyName, e.ErrorMessage)).ToList();
            ImportedResponse? imported = null;
            if (errors.Count == 0)
            {
                imported = ImportedResponse.From(input);
                if (firstRowOf.TryGetValue(imported.RowIdentity, out var first))
                {
                    errors.Add(new RowError(
                        ImportColumns.Patient,
                        $"row {first} already holds this patient, instrument, date and time, episode and session: a duplicate row"));
                }
                else
                {
                    firstRowOf[imported.RowIdentity] = row.Number;
                    errors.AddRange(await PipelineErrorsAsync(imported.Response, reader, cancellationToken));
                }
            }

            checkedRows.Add(new CheckedRow(row, errors.Count == 0 ? imported : null, errors));
        }

        return checkedRows;
    }

    private static async Task<Questionnaire?> ResolveAsync(
        string instrument, Dictionary<string, Questionnaire?> cache, IResourceReader reader, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(instrument, out var questionnaire))
        {
            // A short name is the id part of our own canonical URLs (wai-sr, srs, ors, haq-ii, …).
            var canonical = instrument.Contains(':', StringComparison.Ordinal)
                ? instrument
                : $"{ExtensionUrls.CanonicalBase}/Questionnaire/{instrument.ToLowerInvariant()}";
            questionnaire = await QuestionnaireResolver.TryResolveAsync(canonical, reader, cancellationToken);
            cache[instrument] = questionnaire;
        }

        return questionnaire;
    }

    /// <summary>What the instrument pipeline refuses (enableWhen, answer rules beyond a single cell), as row errors.</summary>
    private async Task<IEnumerable<RowError>> PipelineErrorsAsync(QuestionnaireResponse response, IResourceReader reader, CancellationToken cancellationToken)
    {
        var outcome = await processor.ValidateAsync(response, reader, cancellationToken);
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => new RowError(ColumnOf(i), i.Diagnostics ?? i.Details?.Text ?? "the response does not fit its questionnaire"));
    }

    /// <summary>The linkId an issue's expression names (…item.where(linkId='3')…), else no single column.</summary>
    public static string ColumnOf(OperationOutcome.IssueComponent issue)
    {
        ArgumentNullException.ThrowIfNull(issue);
        var expression = issue.Expression.FirstOrDefault() ?? string.Empty;
        var at = expression.LastIndexOf("linkId='", StringComparison.Ordinal);
        if (at < 0)
        {
            return string.Empty;
        }

        var start = at + "linkId='".Length;
        var end = expression.IndexOf('\'', start);
        return end > start ? expression[start..end] : string.Empty;
    }
}
