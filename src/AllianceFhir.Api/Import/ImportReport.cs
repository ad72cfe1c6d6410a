using AllianceFhir.Spreadsheets;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Import;

/// <summary>
/// The answer of <c>$import-spreadsheet</c>: a Parameters resource (the output of an operation with more than one
/// out parameter, R4 operations.html) with the counts, one <c>row</c> part per data row, and an <c>outcome</c>
/// OperationOutcome holding one issue per refused cell, so a client that only reads OperationOutcomes still sees them.
/// </summary>
public static class ImportReport
{
    public static Parameters Build(IReadOnlyList<RowResult> results, bool dryRun)
    {
        var report = new Parameters();
        report.Add("dryRun", new FhirBoolean(dryRun));
        report.Add("rows", new Integer(results.Count));
        foreach (var status in Enum.GetValues<RowStatus>().Where(s => dryRun ? s is RowStatus.Valid or RowStatus.Refused : s != RowStatus.Valid))
        {
            report.Add(Code(status), new Integer(results.Count(r => r.Status == status)));
        }

        foreach (var result in results)
        {
            var part = new Parameters.ParameterComponent { Name = "row" };
            part.Part.Add(new() { Name = "number", Value = new Integer(result.Row) });
            part.Part.Add(new() { Name = "status", Value = new Code(Code(result.Status)) });
            if (result.Reference is not null)
            {
                part.Part.Add(new() { Name = "response", Value = new ResourceReference(result.Reference) });
            }

            foreach (var error in result.Errors)
            {
                var issue = new Parameters.ParameterComponent { Name = "issue" };
                issue.Part.Add(new() { Name = "column", Value = new FhirString(error.Column) });
                issue.Part.Add(new() { Name = "message", Value = new FhirString(error.Message) });
                part.Part.Add(issue);
            }

            report.Parameter.Add(part);
        }

        report.Parameter.Add(new Parameters.ParameterComponent { Name = "outcome", Resource = Outcome(results, dryRun) });
        return report;
    }

    private static OperationOutcome Outcome(IReadOnlyList<RowResult> results, bool dryRun)
    {
        var outcome = new OperationOutcome();
        foreach (var result in results)
        {
            foreach (var error in result.Errors)
            {
                outcome.Issue.Add(new OperationOutcome.IssueComponent
                {
                    Severity = OperationOutcome.IssueSeverity.Error,
                    Code = OperationOutcome.IssueType.Invalid,
                    Diagnostics = error.Describe(result.Row),
                });
            }
        }

        if (outcome.Issue.Count == 0)
        {
            outcome.Issue.Add(new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Information,
                Code = OperationOutcome.IssueType.Informational,
                Diagnostics = dryRun ? $"All {results.Count} rows can be imported" : $"All {results.Count} rows are imported",
            });
        }

        return outcome;
    }

    private static string Code(RowStatus status) => status switch
    {
        RowStatus.Created => "created",
        RowStatus.Exists => "exists",
        RowStatus.Valid => "valid",
        _ => "refused",
    };
}
