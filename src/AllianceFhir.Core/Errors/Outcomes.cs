using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Errors;

/// <summary>Builders for the OperationOutcomes the server sends.</summary>
public static class Outcomes
{
    public static OperationOutcome Create(
        OperationOutcome.IssueSeverity severity,
        OperationOutcome.IssueType code,
        string diagnostics,
        params string[] expression)
    {
        var outcome = new OperationOutcome();
        outcome.Issue.Add(Issue(severity, code, diagnostics, expression));
        return outcome;
    }

    public static OperationOutcome.IssueComponent Issue(
        OperationOutcome.IssueSeverity severity,
        OperationOutcome.IssueType code,
        string diagnostics,
        params string[] expression)
    {
        var issue = new OperationOutcome.IssueComponent
        {
            Severity = severity,
            Code = code,
            // Diagnostics often quote the client's input; an outcome that XML cannot carry would turn a 4xx into a 500.
            Diagnostics = FhirCharacters.Printable(diagnostics),
        };
        if (expression.Length > 0)
        {
            issue.Expression = [.. expression.Select(FhirCharacters.Printable)];
        }

        return issue;
    }

    /// <summary>The outcome for a successful operation that has nothing else to say (Prefer: return=OperationOutcome).</summary>
    public static OperationOutcome Information(string diagnostics) =>
        Create(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational, diagnostics);

    public static bool HasErrors(this OperationOutcome outcome) =>
        outcome.Issue.Any(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal);
}
