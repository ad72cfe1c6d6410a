using System.Globalization;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using AllianceFhir.Storage;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Audit;

/// <summary>
/// Records one AuditEvent per FHIR interaction, refused ones included (401, 403, 404, any 4xx: their outcome says so).
/// It runs outside the exception handler, so it sees the status the client got. A request whose commits carried their
/// own AuditEvent (see <see cref="AuditingResourceStore"/>) is recorded there, atomically with its write; any other
/// (reads, searches, failed or refused writes) goes through <see cref="AuditBacklog"/>. The metadata and SMART
/// configuration documents, and URLs that are no FHIR interaction, touch no patient data and are not recorded.
/// </summary>
public sealed class AuditMiddleware(
    RequestDelegate next,
    AuditBacklog queue,
    TimeProvider clock,
    IOptions<StorageOptions> storage)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments(FhirUrls.BasePath, out var below))
        {
            await next(http);
            return;
        }

        var path = below.Value ?? string.Empty;
        var classified = RequestClassification.Of(http, below);
        if (classified.Kind is RestRequestKind.Public or RestRequestKind.Unknown)
        {
            await next(http);
            return;
        }

        var scope = http.RequestServices.GetRequiredService<AuditScope>();
        scope.Begin(Describe(http, path, classified));
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(http);
            status = http.Response.StatusCode;
        }
        finally
        {
            if (scope.CommittedEvents == 0)
            {
                await AddSearchFormAsync(http, scope);
                var now = clock.GetUtcNow();
                // A caller refused before its tenant was known (no or a bad token) is recorded in the default tenant.
                var tenant = scope.Request?.Caller()?.Tenant ?? storage.Value.TenantId;
                await queue.EnqueueAsync(new AuditBacklog.Entry(tenant, scope.ToRecord(now, status)));
            }
        }
    }

    private static AuditRequest Describe(HttpContext http, string path, RestRequest classified)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var access = classified.Access;
        var interaction = access?.Interaction;
        var type = segments.Length > 0 && SupportedResourceTypes.IsSupported(segments[0]) ? segments[0] : null;
        var id = segments.Length > 1 && !segments[1].StartsWith('_') && !segments[1].StartsWith('$') ? segments[1] : null;
        int? version = segments.Length == 4 && segments[2] == "_history"
            && int.TryParse(segments[3], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

        // The parameters of a search, a history, or a conditional write's condition: kept only as AuditQuery allows.
        var parameters = interaction == FhirInteraction.ConditionalCreate
            ? QueryParameters.Parse(http.Request.Headers["If-None-Exist"].ToString())
            : QueryParameters.Parse(http.Request.QueryString.Value ?? string.Empty);
        return new AuditRequest(
            interaction,
            access?.Operation,
            type,
            id,
            version,
            parameters,
            http.Connection.RemoteIpAddress?.ToString(),
            http.FindAccessContext);
    }

    /// <summary><c>POST [type]/_search</c> carries its parameters in the form the endpoint has already read.</summary>
    private static async Task AddSearchFormAsync(HttpContext http, AuditScope scope)
    {
        if (scope.Request is { Interaction: FhirInteraction.SearchType } request
            && HttpMethods.IsPost(http.Request.Method)
            && http.Request.HasFormContentType)
        {
            try
            {
                var form = await http.Request.ReadFormAsync();
                var parameters = form.SelectMany(f => f.Value.Select(value => new KeyValuePair<string, string>(f.Key, value ?? string.Empty)));
                scope.Begin(request with { Parameters = [.. request.Parameters, .. parameters] });
            }
            catch (InvalidDataException)
            {
                // A form the endpoint refused as malformed: its audit records the refusal without the query.
            }
        }
    }
}
