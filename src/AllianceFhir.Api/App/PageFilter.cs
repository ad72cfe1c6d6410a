using AllianceFhir.Api.Audit;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Security;

namespace AllianceFhir.Api.App;

/// <summary>What a page reads or writes, for its AuditEvent (the same trail the FHIR API keeps).</summary>
public sealed record PageAuditMetadata(FhirInteraction Interaction, string ResourceType, string? IdRouteValue = null);

/// <summary>
/// Wraps every page: refusals and failures become an HTML page with the right status (never a stack trace, never an
/// OperationOutcome a person cannot read), and a page that shows or writes patient data is audited like the FHIR
/// interaction it stands for. A page whose write committed its own AuditEvent (the patient form) is not recorded twice.
/// </summary>
public sealed class PageFilter(AuditBacklog backlog, TimeProvider clock, ILogger<PageFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var audit = http.GetEndpoint()?.Metadata.GetMetadata<PageAuditMetadata>();
        var scope = http.RequestServices.GetRequiredService<AuditScope>();
        if (audit is not null)
        {
            var id = audit.IdRouteValue is null ? null : http.Request.RouteValues[audit.IdRouteValue] as string;
            scope.Begin(new AuditRequest(audit.Interaction, null, audit.ResourceType, id, null, [], http.Connection.RemoteIpAddress?.ToString(), http.FindAccessContext));
        }

        object? result;
        int status;
        try
        {
            result = await next(context);
            status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        }
        catch (FhirOperationException ex)
        {
            status = (int)ex.Status;
            result = HtmlPage.Message(status, Title(status), Describe(ex));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The type and where it came from, never the request's data.
            logger.LogError("Unhandled {ExceptionType} on page {Path}\n{StackTrace}", ex.GetType().Name, http.Request.Path, Errors.BoundedStackTrace.Of(ex));
            status = StatusCodes.Status500InternalServerError;
            result = HtmlPage.Message(status, "Something went wrong", "The page could not be shown because of a fault on the server. It has been logged; please try again later.");
        }

        // Only callers the page accepted are recorded: a sign-in page shown to nobody in particular touched no data.
        if (audit is not null && scope.CommittedEvents == 0 && http.FindAccessContext() is { Tenant: { } tenant })
        {
            await backlog.EnqueueAsync(new AuditBacklog.Entry(tenant, scope.ToRecord(clock.GetUtcNow(), status)));
        }

        return result;
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status403Forbidden => "Not allowed",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status410Gone => "No longer available",
        _ => "This did not work",
    };

    /// <summary>The first issue's diagnostics: the engine's messages name rules and scopes, not patient data.</summary>
    private static string Describe(FhirOperationException ex) =>
        ex.Outcome.Issue.FirstOrDefault()?.Diagnostics ?? "The request was refused.";
}
