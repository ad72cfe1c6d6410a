using System.Net;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Tests.Errors;

public class FhirOperationExceptionTests
{
    [Fact]
    public void Bad_request_carries_an_error_issue_with_its_expression()
    {
        var ex = FhirOperationException.BadRequest("id does not match the URL", "Patient.id");

        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        var issue = Assert.Single(ex.Outcome.Issue);
        Assert.Equal(OperationOutcome.IssueSeverity.Error, issue.Severity);
        Assert.Equal(OperationOutcome.IssueType.Invalid, issue.Code);
        Assert.Equal(["Patient.id"], issue.Expression);
        Assert.True(ex.Outcome.HasErrors());
    }
}
