using System.Globalization;
using System.Net;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Import;
using AllianceFhir.Core.Security;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Import;

/// <summary>
/// <c>$import</c> after the Bulk Data import pattern of Microsoft's FHIR server and HAPI FHIR: <c>POST [base]/$import</c>
/// with <c>Prefer: respond-async</c> records a job and answers 202 with <c>Content-Location</c>, the status URL; polling
/// it answers 202 with <c>X-Progress</c> while the job runs, then 200 with a manifest shaped as the Bulk Data export
/// manifest (per input the count imported, and a link to the NDJSON of OperationOutcomes of its refused lines);
/// DELETE cancels. These routes sit outside the FHIR route group because they read and write NDJSON, which the group's
/// media-type negotiation does not know; errors still leave as OperationOutcomes through the one exception handler.
/// </summary>
public static class ImportEndpoints
{
    public const string NdjsonMediaType = "application/fhir+ndjson";
    private const string StatusPath = "$import-poll-status";

    public static void MapFhirImport(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirUrls.BasePath).WithTags("Import");
        fhir.MapPost("/$import", StartAsync)
            .WithName("import")
            .WithSummary("Import NDJSON (asynchronous): a Parameters body naming input URLs, or an upload of one NDJSON file")
            .WithDescription("Needs 'Prefer: respond-async'. Body: a Parameters resource with 'input' parts (each with 'url' and optional 'type'), "
                + "or Content-Type application/fhir+ndjson with the file itself (optional ?type=). 202 with Content-Location (the status URL). "
                + "Each imported type needs c and u from system/ or user/ scopes.")
            // No body example: Swagger UI cannot send the Prefer header the kick-off requires, so "Try it out" would only get 400.
            .ProducesFhir(StatusCodes.Status202Accepted, StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status415UnsupportedMediaType);
        fhir.MapGet($"/{StatusPath}/{{id}}", StatusAsync)
            .WithName("import-status")
            .WithSummary("The status of an import job: 202 with X-Progress while it runs, 200 with the result manifest when done")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesFhir(StatusCodes.Status202Accepted, StatusCodes.Status404NotFound, StatusCodes.Status500InternalServerError);
        fhir.MapDelete($"/{StatusPath}/{{id}}", CancelAsync)
            .WithName("import-cancel")
            .WithSummary("Cancel an import job; what it committed before stays")
            .ProducesFhir(StatusCodes.Status202Accepted, StatusCodes.Status404NotFound);
        fhir.MapGet($"/{StatusPath}/{{id}}/errors/{{input:int}}", ErrorsAsync)
            .WithName("import-errors")
            .WithSummary("The refused lines of one input: NDJSON, one OperationOutcome per line")
            .Produces(StatusCodes.Status200OK, contentType: NdjsonMediaType)
            .ProducesFhir(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> StartAsync(
        HttpContext http,
        FhirRequestReader reader,
        IImportJobStore jobs,
        ImportFolder folder,
        ImportWorker worker,
        IOptions<ImportOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        var request = http.Request;
        if (!request.Headers["Prefer"].ToString().Split(',', StringSplitOptions.TrimEntries).Contains("respond-async", StringComparer.OrdinalIgnoreCase))
        {
            throw FhirOperationException.BadRequest("$import runs asynchronously: send the header 'Prefer: respond-async'");
        }

        var caller = http.GetAccessContext();
        var requester = new ImportRequester(
            caller.Tenant!,
            caller.Subject,
            caller.ClientId,
            http.Connection.RemoteIpAddress?.ToString(),
            ImportAccess.ScopesOf(caller),
            caller.IsDevelopmentUser,
            FhirUrls.ServiceBaseOf(http.RequestServices).Url);
        if (!ImportAccess.MayImportAny(requester))
        {
            throw ImportAccess.Forbidden("*");
        }

        var id = Guid.NewGuid().ToString("N");
        IReadOnlyList<ImportInput> inputs;
        if (string.Equals(request.ContentType?.Split(';')[0].Trim(), NdjsonMediaType, StringComparison.OrdinalIgnoreCase))
        {
            var type = request.Query["type"].ToString() is { Length: > 0 } t ? t : null;
            DemandType(requester, type);
            inputs = [new ImportInput(null, await SpoolAsync(http, folder, id, options.Value, ct), type)];
        }
        else
        {
            inputs = ImportParameters.Read(await reader.ReadResourceAsync(request, ct), options.Value.AllowedUrlPrefixes);
            foreach (var input in inputs)
            {
                DemandType(requester, input.Type);
            }
        }

        var job = new ImportJob(id, requester, inputs, ImportJobStatus.Queued, ImportProgress.Start(inputs.Count), 0, clock.GetUtcNow(), null, null, null);
        await jobs.CreateAsync(job, ct);
        worker.Wake();
        http.Response.Headers.ContentLocation = StatusUrl(request, id);
        return FhirResponse.Of(Outcomes.Create(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational,
            $"Import job {id} accepted; poll {StatusUrl(request, id)}"), StatusCodes.Status202Accepted);
    }

    private static void DemandType(ImportRequester requester, string? type)
    {
        if (type is not null && !ImportAccess.MayImport(requester, type))
        {
            throw Core.Resources.SupportedResourceTypes.IsSupported(type)
                ? ImportAccess.Forbidden(type)
                : FhirOperationException.BadRequest($"The input type '{type}' is not a resource type this server stores", "Parameters.parameter.part");
        }
    }

    /// <summary>Streams the upload to the job's folder, counting against the upload limit instead of the REST body limit.</summary>
    private static async Task<string> SpoolAsync(HttpContext http, ImportFolder folder, string id, ImportOptions options, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxUploadBytes;
        }

        if (http.Request.ContentLength > options.MaxUploadBytes)
        {
            throw TooLarge(options.MaxUploadBytes);
        }

        var path = folder.SpoolFile(id, 0);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (file.Length + read > options.MaxUploadBytes)
                {
                    throw TooLarge(options.MaxUploadBytes);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }

            // On disk before the job that reads it is recorded.
            file.Flush(flushToDisk: true);
        }
        catch
        {
            Directory.Delete(folder.JobFolder(id), recursive: true);
            throw;
        }

        if (new FileInfo(path).Length == 0)
        {
            Directory.Delete(folder.JobFolder(id), recursive: true);
            throw FhirOperationException.BadRequest("The upload is empty; send the NDJSON file as the body");
        }

        return path;
    }

    private static FhirOperationException TooLarge(long limit) =>
        FhirOperationException.Of(HttpStatusCode.RequestEntityTooLarge, OperationOutcome.IssueType.TooCostly,
            $"The upload exceeds the limit of {limit} bytes (Import:MaxUploadBytes)");

    private static async Task<IResult> StatusAsync(HttpContext http, string id, IImportJobStore jobs, CancellationToken ct)
    {
        var job = await FindOwnAsync(http, jobs, id, ct);
        switch (job.Status)
        {
            case ImportJobStatus.Queued or ImportJobStatus.Running:
                http.Response.Headers["X-Progress"] = Progress(job);
                http.Response.Headers.RetryAfter = "1";
                return FhirResponse.Of(Outcomes.Create(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational,
                    $"Import job {id} is {job.Status.ToString().ToLowerInvariant()}: {Progress(job)}"), StatusCodes.Status202Accepted);
            case ImportJobStatus.Completed:
                return Results.Json(ImportManifest.Of(job, FhirUrls.Base(http.Request), StatusUrl(http.Request, id)), statusCode: StatusCodes.Status200OK);
            case ImportJobStatus.Failed:
                throw FhirOperationException.Of(HttpStatusCode.InternalServerError, OperationOutcome.IssueType.Exception,
                    $"Import job {id} failed: {job.Failure}. What it imported before stays: {Progress(job)}");
            default:
                throw FhirOperationException.NotFound($"Import job {id} was cancelled");
        }
    }

    private static async Task<IResult> CancelAsync(HttpContext http, string id, IImportJobStore jobs, ImportFolder folder, CancellationToken ct)
    {
        var job = await FindOwnAsync(http, jobs, id, ct);
        if (!await jobs.CancelAsync(job.Tenant, id, ct))
        {
            throw FhirOperationException.NotFound($"Import job {id} has already finished ({job.Status.ToString().ToLowerInvariant()})");
        }

        // A queued job has no worker to clean up after it; a running one's worker does when it sees the cancellation.
        if (job.Status == ImportJobStatus.Queued)
        {
            folder.DeleteUploads(id);
        }

        return FhirResponse.Of(Outcomes.Create(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational,
            $"Import job {id} is cancelled; the resources it committed before stay"), StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ErrorsAsync(HttpContext http, string id, int input, IImportJobStore jobs, ImportFolder folder, CancellationToken ct)
    {
        var job = await FindOwnAsync(http, jobs, id, ct);
        var path = folder.ErrorFile(id, input);
        if (job.Status != ImportJobStatus.Completed || input < 0 || input >= job.Inputs.Count || !File.Exists(path))
        {
            throw FhirOperationException.NotFound($"Import job {id} has no error file {input.ToString(CultureInfo.InvariantCulture)}");
        }

        return Results.File(path, NdjsonMediaType);
    }

    /// <summary>Only the tenant and requester (subject and client) that started a job see it; to anyone else it does not exist.</summary>
    private static async Task<ImportJob> FindOwnAsync(HttpContext http, IImportJobStore jobs, string id, CancellationToken ct)
    {
        var caller = http.GetAccessContext();
        var job = await jobs.FindAsync(caller.Tenant!, id, ct);
        if (job is null || job.Requester.Subject != caller.Subject || job.Requester.ClientId != caller.ClientId)
        {
            throw FhirOperationException.NotFound($"No import job {id}");
        }

        return job;
    }

    private static string Progress(ImportJob job) => string.Create(CultureInfo.InvariantCulture,
        $"input {Math.Min(job.Progress.Input + 1, job.Inputs.Count)} of {job.Inputs.Count}; {job.Progress.Processed} lines processed, "
        + $"{job.Progress.Inputs.Sum(i => i.Refused)} refused");

    private static string StatusUrl(HttpRequest request, string id) => $"{FhirUrls.Base(request)}/{StatusPath}/{id}";
}
