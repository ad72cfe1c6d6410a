using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using AllianceFhir.Spreadsheets;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Import;

/// <summary>
/// Turns rows into stored responses. Every row is checked first (<see cref="SpreadsheetChecker"/>: its fields, its
/// answers against the Questionnaire, then the instrument pipeline as <c>$validate</c> runs it); only then are the good rows written, each in a transaction
/// of its own (the patient, created when no patient has its identifier, and the response, created unless one with the
/// same row identity exists), through <see cref="BundleService"/> so access, validation, scoring and extraction are
/// exactly those of a REST transaction. A bad row never stops the others.
/// </summary>
public sealed class SpreadsheetImporter(
    IResourceReader reader,
    BundleService bundles,
    SpreadsheetChecker checker,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<RowResult>> ImportAsync(
        IReadOnlyList<SpreadsheetRow> rows, SpreadsheetSettings settings, bool dryRun, BundleRequestContext context, CancellationToken cancellationToken)
    {
        var checkedRows = await checker.CheckAsync(rows, settings, clock.GetUtcNow(), reader, cancellationToken);
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
                [.. ex.Outcome.Issue.Select(i => new RowError(SpreadsheetChecker.ColumnOf(i), i.Diagnostics ?? "the row could not be stored"))]);
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
