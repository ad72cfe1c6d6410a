using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Resolution;
using FluentValidation;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Import;

/// <summary>What happened to one row.</summary>
public enum RowStatus
{
    /// <summary>Stored now.</summary>
    Created,

    /// <summary>An earlier import already stored this administration; nothing was written.</summary>
    Exists,

    /// <summary>Dry run: the row would be imported.</summary>
    Valid,

    /// <summary>Not imported; <see cref="RowResult.Errors"/> says why.</summary>
    Refused,
}

public sealed record RowError(string Column, string Message);

public sealed record RowResult(int Row, RowStatus Status, string? Reference, IReadOnlyList<RowError> Errors);

/// <summary>
/// Turns rows into stored responses. Every row is checked first (its fields, its answers against the Questionnaire,
/// then the instrument pipeline as <c>$validate</c> runs it); only then are the good rows written, each in a transaction
/// of its own (the patient, created when no patient has its identifier, and the response, created unless one with the
/// same row identity exists), through <see cref="BundleService"/> so access, validation, scoring and extraction are
/// exactly those of a REST transaction. A bad row never stops the others.
/// </summary>
public sealed class SpreadsheetImporter(
    IResourceReader reader,
    BundleService bundles,
    QuestionnaireResponseProcessor processor,
    IValidator<ImportRowInput> validator,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<RowResult>> ImportAsync(
        IReadOnlyList<SpreadsheetRow> rows, ImportOptions options, bool dryRun, BundleRequestContext context, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var questionnaires = new Dictionary<string, Questionnaire?>(StringComparer.OrdinalIgnoreCase);
        var checkedRows = new List<(SpreadsheetRow Row, ImportedResponse? Response, List<RowError> Errors)>();
        var firstRowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var questionnaire = row[ImportColumns.Instrument] is { } instrument
                ? await ResolveAsync(instrument, questionnaires, cancellationToken)
                : null;
            var input = new ImportRowInput(row, questionnaire, options, now);
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
                    errors.AddRange(await PipelineErrorsAsync(imported.Response, cancellationToken));
                }
            }

            checkedRows.Add((row, errors.Count == 0 ? imported : null, errors));
        }

        var results = new List<RowResult>(checkedRows.Count);
        foreach (var (row, imported, errors) in checkedRows)
        {
            results.Add(imported is null
                ? new RowResult(row.Number, RowStatus.Refused, null, errors)
                : dryRun
                    ? new RowResult(row.Number, RowStatus.Valid, null, [])
                    : await WriteAsync(row, imported, context, cancellationToken));
        }

        return results;
    }

    private async Task<Questionnaire?> ResolveAsync(string instrument, Dictionary<string, Questionnaire?> cache, CancellationToken cancellationToken)
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
    private async Task<IEnumerable<RowError>> PipelineErrorsAsync(QuestionnaireResponse response, CancellationToken cancellationToken)
    {
        var outcome = await processor.ValidateAsync(response, reader, cancellationToken);
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => new RowError(ColumnOf(i), i.Diagnostics ?? i.Details?.Text ?? "the response does not fit its questionnaire"));
    }

    /// <summary>The linkId an issue's expression names (…item.where(linkId='3')…), else no single column.</summary>
    private static string ColumnOf(OperationOutcome.IssueComponent issue)
    {
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

    private async Task<RowResult> WriteAsync(SpreadsheetRow row, ImportedResponse imported, BundleRequestContext context, CancellationToken cancellationToken)
    {
        var patientUrl = $"urn:uuid:{Guid.NewGuid()}";
        var response = (QuestionnaireResponse)imported.Response.DeepCopy();
        response.Subject = new ResourceReference(patientUrl);
        var transaction = new Bundle
        {
            Type = Bundle.BundleType.Transaction,
            Entry =
            [
                new Bundle.EntryComponent
                {
                    FullUrl = patientUrl,
                    Resource = new Patient { Identifier = [(Identifier)imported.Patient.DeepCopy()] },
                    Request = new Bundle.RequestComponent
                    {
                        Method = Bundle.HTTPVerb.POST,
                        Url = "Patient",
                        IfNoneExist = $"identifier={Escape(imported.Patient.System ?? string.Empty)}|{Escape(imported.Patient.Value ?? string.Empty)}",
                    },
                },
                new Bundle.EntryComponent
                {
                    FullUrl = $"urn:uuid:{Guid.NewGuid()}",
                    Resource = response,
                    Request = new Bundle.RequestComponent
                    {
                        Method = Bundle.HTTPVerb.POST,
                        Url = "QuestionnaireResponse",
                        IfNoneExist = $"identifier={Escape(ImportedResponse.RowIdentitySystem)}|{imported.RowIdentity}",
                    },
                },
            ],
        };

        try
        {
            var answer = await bundles.ProcessAsync(transaction, context, cancellationToken);
            var entry = answer.Entry[1].Response;
            var created = entry?.Status?.StartsWith("201", StringComparison.Ordinal) == true;
            return new RowResult(row.Number, created ? RowStatus.Created : RowStatus.Exists, ReferenceOf(entry?.Location), []);
        }
        catch (FhirOperationException ex)
        {
            return new RowResult(row.Number, RowStatus.Refused, null,
                [.. ex.Outcome.Issue.Select(i => new RowError(ColumnOf(i), i.Diagnostics ?? "the row could not be stored"))]);
        }
    }

    /// <summary><c>QuestionnaireResponse/id</c> from a location that may carry the base and <c>/_history/n</c>.</summary>
    private static string? ReferenceOf(string? location)
    {
        if (location is null)
        {
            return null;
        }

        var parts = location.Split('/');
        var at = Array.LastIndexOf(parts, nameof(QuestionnaireResponse));
        return at >= 0 && at + 1 < parts.Length ? $"{parts[at]}/{parts[at + 1]}" : location;
    }

    // Search values escape ',', '|', '$' and '\' with a backslash (R4 search.html "Escaping Search Parameters").
    private static string Escape(string value) =>
        Uri.EscapeDataString(value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace(",", "\\,", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal));
}
