using System.Globalization;
using System.Net;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Export;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Export;

/// <summary>
/// Bulk Data Access 2.0 <c>$export</c> (hl7.org/fhir/uv/bulkdata/export.html) at system, Patient and Group level, with
/// the FHIR asynchronous request pattern: the kick-off answers 202 with <c>Content-Location</c>, the status URL answers
/// 202 with <c>X-Progress</c> and <c>Retry-After</c> while the job runs, then 200 with the manifest; DELETE cancels and
/// deletes the files, which are served below the status URL to the caller who started the job. Like <c>$import</c>
/// these routes sit outside the FHIR route group (they answer JSON manifests and NDJSON); errors still leave as
/// OperationOutcomes through the one exception handler.
/// </summary>
public static class ExportEndpoints
{
    public const string NdjsonMediaType = "application/fhir+ndjson";
    private const string StatusPath = "$export-poll-status";

    public static void MapFhirExport(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirUrls.BasePath).WithTags("Export");
        const string kickOff = "Needs 'Prefer: respond-async'. Parameters: _outputFormat (application/fhir+ndjson, application/ndjson, ndjson), "
            + "_since (instant), _type, _typeFilter ([type]?[search]), _elements. Unsupported parameters are 400 unless 'Prefer: handling=lenient'. "
            + "Each exported type needs r and s (e.g. system/*.rs). 202 with Content-Location (the status URL).";
        fhir.MapGet("/$export", SystemAsync)
            .WithName("export")
            .WithSummary("Bulk Data export of the whole system (asynchronous)")
            .WithDescription(kickOff)
            .ProducesFhir(StatusCodes.Status202Accepted, StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);
        fhir.MapGet("/Patient/$export", PatientAsync)
            .WithName("export-patient")
            .WithSummary("Bulk Data export of the Patient compartment of every patient (asynchronous)")
            .WithDescription(kickOff)
            .ProducesFhir(StatusCodes.Status202Accepted, StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);
        fhir.MapGet("/Group/{id}/$export", GroupAsync)
            .WithName("export-group")
            .WithSummary("Bulk Data export of the Patient compartment of the group's member patients (asynchronous)")
            .WithDescription(kickOff)
            .ProducesFhir(StatusCodes.Status202Accepted, StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
        fhir.MapGet($"/{StatusPath}/{{id}}", StatusAsync)
            .WithName("export-status")
            .WithSummary("The status of an export job: 202 with X-Progress while it runs, 200 with the manifest when done")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesFhir(StatusCodes.Status202Accepted, StatusCodes.Status404NotFound, StatusCodes.Status500InternalServerError);
        fhir.MapDelete($"/{StatusPath}/{{id}}", CancelAsync)
            .WithName("export-cancel")
            .WithSummary("Cancel an export job and delete its files")
            .ProducesFhir(StatusCodes.Status202Accepted, StatusCodes.Status404NotFound);
        fhir.MapGet($"/{StatusPath}/{{id}}/files/{{file}}", FileAsync)
            .WithName("export-file")
            .WithSummary("One file of a completed export: NDJSON, one resource (or OperationOutcome) per line")
            .Produces(StatusCodes.Status200OK, contentType: NdjsonMediaType)
            .ProducesFhir(StatusCodes.Status404NotFound);
    }

    /// <summary>What a kick-off needs from DI.</summary>
    public sealed record KickOffServices(
        ExportKickOff Reader,
        IExportJobStore Jobs,
        ExportFolder Folder,
        ExportWorker Worker,
        IResourceStoreFactory Stores,
        TimeProvider Clock);

    private static Task<IResult> SystemAsync(HttpContext http, [AsParameters] KickOffServices services, CancellationToken ct) =>
        KickOffAsync(http, services, ExportLevel.System, null, ct);

    private static Task<IResult> PatientAsync(HttpContext http, [AsParameters] KickOffServices services, CancellationToken ct) =>
        KickOffAsync(http, services, ExportLevel.Patient, null, ct);

    private static Task<IResult> GroupAsync(HttpContext http, string id, [AsParameters] KickOffServices services, CancellationToken ct) =>
        KickOffAsync(http, services, ExportLevel.Group, id, ct);

    private static async Task<IResult> KickOffAsync(HttpContext http, KickOffServices services, ExportLevel level, string? groupId, CancellationToken ct)
    {
        var request = http.Request;
        var prefer = request.Headers["Prefer"].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.TrimEntries)).ToList();
        if (!prefer.Contains("respond-async", StringComparer.OrdinalIgnoreCase))
        {
            throw FhirOperationException.BadRequest("$export runs asynchronously: send the header 'Prefer: respond-async'");
        }

        var lenient = prefer.Contains("handling=lenient", StringComparer.OrdinalIgnoreCase);
        var caller = http.GetAccessContext();
        var tenant = caller.Tenant!;
        if (level == ExportLevel.Group)
        {
            var store = services.Stores.ForTenant(tenant);
            if (!FhirId.IsValid(groupId!) || await store.ReadCurrentAsync("Group", groupId!, ct) is not { IsDeleted: false })
            {
                throw FhirOperationException.NotFound($"Group/{groupId} is not known");
            }
        }

        var clock = services.Clock;
        var parameters = request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? string.Empty))).ToList();
        var (export, ignored) = services.Reader.Read(
            level, groupId, parameters, lenient, caller, FhirUrls.Current(request), Truncate(clock.GetUtcNow()));

        var id = Guid.NewGuid().ToString("N");
        var folder = services.Folder;
        if (ignored.Count > 0)
        {
            await WriteIgnoredAsync(folder, id, ignored, ct);
        }

        var job = new ExportJob(id, ExportRequester.Of(caller, tenant, FhirUrls.ServiceBaseOf(http.RequestServices).Url), export, ExportJobStatus.Queued, ExportProgress.Start(export.Types.Count),
            ignored.Count, 0, clock.GetUtcNow(), null, null, null, null);
        await services.Jobs.CreateAsync(job, ct);
        services.Worker.Wake();
        http.Response.Headers.ContentLocation = StatusUrl(request, id);
        var outcome = Outcomes.Information($"Export job {id} accepted; poll {StatusUrl(request, id)}");
        outcome.Issue.AddRange(ignored);
        return FhirResponse.Of(outcome, StatusCodes.Status202Accepted);
    }

    /// <summary>Milliseconds, as the server stamps meta.lastUpdated: a resource stamped in the same millisecond is in.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>The parameters lenient handling dropped, one OperationOutcome each in the job's error file.</summary>
    private static async Task WriteIgnoredAsync(ExportFolder folder, string id, IReadOnlyList<OperationOutcome.IssueComponent> ignored, CancellationToken ct)
    {
        Directory.CreateDirectory(folder.JobFolder(id));
        await using var file = new StreamWriter(folder.ErrorFile(id));
        foreach (var issue in ignored)
        {
            var outcome = new OperationOutcome();
            outcome.Issue.Add(issue);
            await file.WriteAsync(FhirSerialization.ToStoredJson(outcome) + "\n");
        }
    }

    private static async Task<IResult> StatusAsync(HttpContext http, string id, IExportJobStore jobs, CancellationToken ct)
    {
        var job = await FindOwnAsync(http, jobs, id, ct);
        switch (job.Status)
        {
            case ExportJobStatus.Queued or ExportJobStatus.Running:
                http.Response.Headers["X-Progress"] = Progress(job);
                http.Response.Headers.RetryAfter = "1";
                return FhirResponse.Of(Outcomes.Information($"Export job {id} is {job.Status.ToString().ToLowerInvariant()}: {Progress(job)}"),
                    StatusCodes.Status202Accepted);
            case ExportJobStatus.Completed:
                if (job.ExpiresAt is { } expires)
                {
                    http.Response.Headers.Expires = expires.ToString("R", CultureInfo.InvariantCulture);
                }

                var requiresToken = !http.GetAccessContext().IsDevelopmentUser;
                return Results.Json(ExportManifest.Of(job, StatusUrl(http.Request, id), requiresToken), statusCode: StatusCodes.Status200OK);
            case ExportJobStatus.Failed:
                throw FhirOperationException.Of(HttpStatusCode.InternalServerError, OperationOutcome.IssueType.Exception,
                    $"Export job {id} failed: {job.Failure}");
            default:
                throw FhirOperationException.NotFound($"No export job {id}");
        }
    }

    private static async Task<IResult> CancelAsync(HttpContext http, string id, IExportJobStore jobs, ExportFolder folder, CancellationToken ct)
    {
        var job = await FindOwnAsync(http, jobs, id, ct);
        if (!await jobs.CancelAsync(job.Tenant, id, ct))
        {
            throw FhirOperationException.NotFound($"No export job {id}");
        }

        // A running job's worker deletes again whatever it wrote after this, when its next checkpoint finds the job cancelled.
        folder.Delete(id);
        return FhirResponse.Of(Outcomes.Information($"Export job {id} is cancelled and its files deleted"), StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> FileAsync(HttpContext http, string id, string file, IExportJobStore jobs, ExportFolder folder, CancellationToken ct)
    {
        var job = await FindOwnAsync(http, jobs, id, ct);
        var name = Path.GetFileNameWithoutExtension(file);
        var listed = file == ExportFolder.ErrorFileName
            ? job.ErrorCount > 0
            : file == $"{name}.ndjson" && job.Request.Types.Contains(name, StringComparer.Ordinal);
        var path = file == ExportFolder.ErrorFileName ? folder.ErrorFile(id) : folder.TypeFile(id, name);
        if (job.Status != ExportJobStatus.Completed || !listed || !File.Exists(path))
        {
            throw FhirOperationException.NotFound($"Export job {id} has no file {file}");
        }

        return Results.File(path, NdjsonMediaType);
    }

    /// <summary>Only the tenant and requester (subject and client) that started a job see it; to anyone else it does not exist.</summary>
    private static async Task<ExportJob> FindOwnAsync(HttpContext http, IExportJobStore jobs, string id, CancellationToken ct)
    {
        var caller = http.GetAccessContext();
        var job = await jobs.FindAsync(caller.Tenant!, id, ct);
        if (job is null || !job.Requester.IsSameCaller(caller))
        {
            throw FhirOperationException.NotFound($"No export job {id}");
        }

        return job;
    }

    private static string Progress(ExportJob job) => string.Create(CultureInfo.InvariantCulture,
        $"type {Math.Min(job.Progress.Type + 1, job.Request.Types.Count)} of {job.Request.Types.Count}; {job.Progress.Exported} resources written");

    private static string StatusUrl(HttpRequest request, string id) => $"{FhirUrls.Base(request)}/{StatusPath}/{id}";
}
