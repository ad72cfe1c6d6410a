using AllianceFhir.Api.Http;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Diagnostics;

namespace AllianceFhir.Api.Errors;

/// <summary>
/// The single place where failures become responses: every error under /fhir leaves as an OperationOutcome with
/// the status the R4 HTTP page gives it.
/// </summary>
public sealed class FhirExceptionHandler(ILogger<FhirExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, outcome, version) = exception switch
        {
            FhirOperationException fhir => ((int)fhir.Status, fhir.Outcome, null),
            ResourceGoneException gone => (
                StatusCodes.Status410Gone,
                Outcomes.Create(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.Deleted, gone.Message),
                gone.DeletedVersion),
            VersionConflictException conflict => (
                StatusCodes.Status409Conflict,
                Outcomes.Create(
                    OperationOutcome.IssueSeverity.Error,
                    OperationOutcome.IssueType.Conflict,
                    $"{conflict.ResourceType}/{conflict.Id} was changed by another request at the same time; read it again and retry"),
                (ResourceVersion?)null),
            BadHttpRequestException bad => (
                bad.StatusCode,
                Outcomes.Create(OperationOutcome.IssueSeverity.Error, IssueTypeFor(bad.StatusCode), bad.Message),
                null),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, null, null),
            _ => (
                StatusCodes.Status500InternalServerError,
                Outcomes.Create(
                    OperationOutcome.IssueSeverity.Fatal,
                    OperationOutcome.IssueType.Exception,
                    "An unexpected error occurred; the request was not completed"),
                null),
        };

        if (status >= 500)
        {
            // The exception may quote request content (PHI); its type and the top of its stack are enough to find
            // the fault. A recursive parser's stack can be thousands of frames (4.5 MB of log from one request).
            logger.LogError("Unhandled {ExceptionType} on {Method} {Path}\n{StackTrace}", exception.GetType().Name,
                httpContext.Request.Method, httpContext.Request.Path, BoundedStackTrace.Of(exception));
        }

        if (outcome is null)
        {
            return true;
        }

        httpContext.Response.Clear();
        if (status == StatusCodes.Status405MethodNotAllowed)
        {
            httpContext.Response.Headers.Allow = AllowedMethods.For(httpContext);
        }

        var response = FhirResponse.Of(outcome, status);
        response.VersionHeaders = version;
        await ExecuteSafelyAsync(response, httpContext);
        return true;
    }

    /// <summary>An error must still be sent when the failure was the negotiation itself (a bad Accept or _format).</summary>
    private static async Task ExecuteSafelyAsync(FhirResponse response, HttpContext httpContext)
    {
        try
        {
            await response.ExecuteAsync(httpContext);
        }
        catch (FhirOperationException)
        {
            httpContext.Request.QueryString = QueryString.Empty;
            httpContext.Request.Headers.Accept = FhirMediaTypes.Json;
            await response.ExecuteAsync(httpContext);
        }
    }

    private static OperationOutcome.IssueType IssueTypeFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => OperationOutcome.IssueType.TooCostly,
        _ => OperationOutcome.IssueType.Invalid,
    };
}
