using AllianceFhir.Api.Http;
using AllianceFhir.Core.Errors;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Hosting;

/// <summary>
/// ASP.NET Core's host filtering refuses a Host outside <c>AllowedHosts</c> before any of the app's middleware runs, with
/// an HTML page; a FHIR client is owed an OperationOutcome. This filter wraps the whole pipeline (it is registered
/// first, so it is outermost) and answers such a refusal under the FHIR base: a 400 with no body that never reached the
/// app (<see cref="MarkReached"/> did not run).
/// </summary>
internal sealed class RefusedHostOutcome : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, inner) =>
        {
            await inner(http);
            if (http.Response.StatusCode == StatusCodes.Status400BadRequest
                && !http.Response.HasStarted
                && http.Features.Get<Reached>() is null
                && http.Request.Path.StartsWithSegments(FhirUrls.BasePath))
            {
                var outcome = Outcomes.Create(
                    OperationOutcome.IssueSeverity.Error,
                    OperationOutcome.IssueType.Invalid,
                    "The Host header names no host this server answers for (AllowedHosts)");
                await FhirResponse.Of(outcome, StatusCodes.Status400BadRequest).ExecuteAsync(http);
            }
        });
        next(app);
    };

    /// <summary>The app's first middleware: a request that gets here passed host filtering.</summary>
    /// <remarks>A feature, not an entry in <c>HttpContext.Items</c>, whose dictionary would be built for every request.</remarks>
    public static void MarkReached(HttpContext http) => http.Features.Set(Reached.Mark);

    private sealed class Reached
    {
        public static readonly Reached Mark = new();
    }
}
