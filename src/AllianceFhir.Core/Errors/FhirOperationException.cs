using System.Net;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Errors;

/// <summary>
/// The single way domain code reports a failure that a FHIR client must see: an HTTP status and the
/// OperationOutcome that explains it. The API layer turns it into the response; nothing else does.
/// </summary>
public sealed class FhirOperationException : Exception
{
    public FhirOperationException(HttpStatusCode status, OperationOutcome outcome)
        : base(outcome.Issue.FirstOrDefault()?.Diagnostics ?? status.ToString())
    {
        Status = status;
        Outcome = outcome;
    }

    public HttpStatusCode Status { get; }

    public OperationOutcome Outcome { get; }

    public static FhirOperationException Of(
        HttpStatusCode status,
        OperationOutcome.IssueType code,
        string diagnostics,
        params string[] expression) =>
        new(status, Outcomes.Create(OperationOutcome.IssueSeverity.Error, code, diagnostics, expression));

    public static FhirOperationException BadRequest(string diagnostics, params string[] expression) =>
        Of(HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid, diagnostics, expression);

    public static FhirOperationException NotFound(string diagnostics) =>
        Of(HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound, diagnostics);

    public static FhirOperationException Gone(string diagnostics) =>
        Of(HttpStatusCode.Gone, OperationOutcome.IssueType.Deleted, diagnostics);

    public static FhirOperationException PreconditionFailed(string diagnostics) =>
        Of(HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.Conflict, diagnostics);

    public static FhirOperationException Conflict(string diagnostics) =>
        Of(HttpStatusCode.Conflict, OperationOutcome.IssueType.Conflict, diagnostics);

    public static FhirOperationException Unprocessable(OperationOutcome outcome) =>
        new(HttpStatusCode.UnprocessableEntity, outcome);
}
