using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Bundles;

/// <summary>
/// A failure of one Bundle entry. A transaction turns it into its whole response (naming the entry); a batch turns it
/// into that entry's <c>response.outcome</c>.
/// </summary>
public sealed class BundleEntryException(int index, string? fullUrl, FhirOperationException failure)
    : Exception(failure.Message, failure)
{
    public int Index { get; } = index;

    public string? FullUrl { get; } = fullUrl;

    public FhirOperationException Failure { get; } = failure;

    /// <summary>The failure with every issue saying which entry it is about (the transaction's response).</summary>
    public FhirOperationException NamingTheEntry()
    {
        var where = EntryNames.Describe(Index, FullUrl);
        var outcome = new OperationOutcome();
        foreach (var issue in Failure.Outcome.Issue)
        {
            var copy = (OperationOutcome.IssueComponent)issue.DeepCopy();
            copy.Diagnostics = $"{where}: {issue.Diagnostics}";
            copy.Expression = [$"Bundle.entry[{Index}]", .. issue.Expression];
            outcome.Issue.Add(copy);
        }

        return new FhirOperationException(Failure.Status, outcome);
    }
}
