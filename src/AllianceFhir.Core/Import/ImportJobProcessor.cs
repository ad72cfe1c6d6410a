using System.Net;
using System.Text;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Core.Import;

/// <summary>
/// Runs one leased import job from its last checkpoint to the end: reads each input line by line, sends every line
/// through the REST write pipeline (<see cref="ImportLineWriter"/>), and commits the resulting versions in batches
/// together with the job's progress and one AuditEvent per batch (<see cref="IImportJobStore.CommitBatchAsync"/>).
/// A refused line is written to the input's error file and never stops the rest.
/// </summary>
public sealed class ImportJobProcessor(
    IImportJobStore jobs,
    IImportSourceOpener sources,
    ImportFolder folder,
    ImportSettings settings,
    TimeProvider clock,
    ILogger<ImportJobProcessor> logger)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    private IImportJobStore Jobs => jobs;

    private IImportSourceOpener Sources => sources;

    private ImportFolder Folder => folder;

    private ImportSettings Settings => settings;

    private TimeProvider Clock => clock;

    private ILogger Logger => logger;

    /// <summary>Imports what is left of the job; returns when it is done, cancelled, or no longer this worker's.</summary>
    public async Task RunAsync(ImportJob job, ImportServices services, AuditEventFactory audits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var run = new Run(this, job, new ImportLineWriter(services.Resources, services.Search, services.Store), services.Reader, audits);
        try
        {
            await run.ImportAllAsync(cancellationToken);
            if (await jobs.FinishAsync(run.Job, ImportJobStatus.Completed, null, cancellationToken))
            {
                folder.DeleteUploads(job.Id);
            }
        }
        catch (ImportLeaseLostException)
        {
            logger.LogInformation("Import job {JobId} stopped: cancelled or taken over by another worker", job.Id);
            if ((await jobs.FindAsync(job.Tenant, job.Id, cancellationToken))?.Status == ImportJobStatus.Cancelled)
            {
                folder.DeleteUploads(job.Id);
            }
        }
        catch (ImportSourceException ex)
        {
            logger.LogWarning("Import job {JobId} failed: an input could not be read ({Reason})", job.Id, ex.Message);
            if (await jobs.FinishAsync(run.Job, ImportJobStatus.Failed, ex.Message, cancellationToken))
            {
                folder.DeleteUploads(job.Id);
            }
        }
    }

    /// <summary>One line read and not yet committed, kept so the batch can be replayed line by line after a lost race.</summary>
    private sealed record PendingLine(long Number, long EndOffset, byte[] Bytes, bool TooLong);

    private sealed class Run(ImportJobProcessor owner, ImportJob job, ImportLineWriter writer, IResourceReader reader, AuditEventFactory audits)
    {
        private readonly List<PendingLine> _window = [];
        private ImportBatch _batch = null!;
        private FileStream _errors = null!;
        private ImportInputProgress _counts = null!;
        private long _line;
        private long _offset;

        public ImportJob Job { get; private set; } = job;

        public async Task ImportAllAsync(CancellationToken cancellationToken)
        {
            for (var input = Job.Progress.Input; input < Job.Inputs.Count; input++)
            {
                var resume = input == Job.Progress.Input;
                _line = resume ? Job.Progress.Line : 0;
                _offset = resume ? Job.Progress.ByteOffset : 0;
                _counts = Job.Progress.Inputs[input];
                _batch = new ImportBatch(reader);
                _window.Clear();
                await using (_errors = owner.Folder.OpenErrors(Job.Id, input, resume ? Job.Progress.ErrorBytes : 0))
                await using (var stream = await owner.Sources.OpenAsync(Job.Inputs[input], _offset, cancellationToken))
                {
                    var reader = new NdjsonLineReader(stream, _offset, _line, owner.Settings.MaxLineBytes);
                    while (await reader.ReadAsync(cancellationToken) is { } line)
                    {
                        var pending = new PendingLine(line.Number, line.EndOffset, line.TooLong ? [] : line.Bytes.ToArray(), line.TooLong);
                        await HandleAsync(pending, alone: false, cancellationToken);
                        _window.Add(pending);
                        if (_batch.Writes.Count >= owner.Settings.BatchSize)
                        {
                            await CheckpointAsync(input, finished: false, cancellationToken);
                        }
                    }

                    await CheckpointAsync(input, finished: true, cancellationToken);
                }
            }
        }

        /// <summary>Parses, checks and prepares one line; a refusal goes to the error file, the writes into the batch.</summary>
        private async Task HandleAsync(PendingLine line, bool alone, CancellationToken cancellationToken)
        {
            if (line.TooLong)
            {
                await RefuseAsync(line, null, FhirOperationException.Of(
                    HttpStatusCode.RequestEntityTooLarge,
                    OperationOutcome.IssueType.TooCostly,
                    $"The line is longer than {owner.Settings.MaxLineBytes} bytes (Import:MaxLineBytes)"));
                Advance(line);
                return;
            }

            if (line.Bytes.AsSpan().Trim(" \t\r"u8).IsEmpty)
            {
                // Blank lines (a trailing newline, an empty last line) hold no resource.
                Advance(line);
                return;
            }

            Resource? resource = null;
            string? sentId = null;
            try
            {
                resource = ImportLineParser.Parse(line.Bytes);
                sentId = resource.Id;
                var type = resource.TypeName;
                Check(type);
                if (!alone && ImportLineWriter.ConditionOf(resource) is { } condition && _batch.HoldsCondition(condition))
                {
                    await CheckpointAsync(Job.Progress.Input, finished: false, cancellationToken);
                }

                if (!alone && resource.Id is { Length: > 0 } id && _batch.Holds(new ResourceKey(type, id)))
                {
                    // The same resource twice in one batch: the second is prepared over the first, committed.
                    await CheckpointAsync(Job.Progress.Input, finished: false, cancellationToken);
                }

                var plan = await writer.PrepareAsync(resource, _batch, cancellationToken);
                if (!plan.Unchanged && _batch.HoldsAny(plan.Writes))
                {
                    // A derived resource the batch already writes: commit the batch, then prepare this line again over it.
                    await CheckpointAsync(Job.Progress.Input, finished: false, cancellationToken);
                    resource = ImportLineParser.Parse(line.Bytes);
                    plan = await writer.PrepareAsync(resource, _batch, cancellationToken);
                }

                _batch.Add(plan.Writes, plan.Resources, plan.Condition);
                _counts = plan.Unchanged ? _counts with { Unchanged = _counts.Unchanged + 1 } : _counts with { Imported = _counts.Imported + 1 };
                Advance(line);
            }
            catch (FhirOperationException failure)
            {
                await RefuseAsync(line, Describe(resource, sentId), failure);
                Advance(line);
            }
            catch (ImportLeaseLostException)
            {
                throw;
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // A fault of ours on one line must not stop the import: log its type, not the line's data.
                owner.Logger.LogWarning("Import job {JobId}: line {Line} failed with {Exception}", Job.Id, line.Number, failure.GetType().Name);
                await RefuseAsync(line, Describe(resource, sentId), FhirOperationException.Of(
                    HttpStatusCode.InternalServerError,
                    OperationOutcome.IssueType.Exception,
                    "The server failed to process this line; it was not imported"));
                Advance(line);
            }
        }

        private void Check(string type)
        {
            if (!SupportedResourceTypes.IsSupported(type))
            {
                throw FhirOperationException.NotFound($"Resource type '{type}' is not supported by this server");
            }

            AuditEventWrites.EnsureAllowed(FhirInteraction.Create, type);
            var declared = Job.Inputs[Job.Progress.Input].Type;
            if (declared is not null && declared != type)
            {
                throw FhirOperationException.BadRequest($"The input declares type {declared}, but the line holds a {type}", "resourceType");
            }

            if (!ImportAccess.MayImport(Job.Requester, type))
            {
                throw ImportAccess.Forbidden(type);
            }
        }

        /// <summary>The line's resource as the file names it: the id it carried, never one the server assigned and did not store.</summary>
        private static string? Describe(Resource? resource, string? sentId) =>
            resource is null ? null : FhirId.IsValid(sentId) ? $"{resource.TypeName}/{sentId}" : resource.TypeName;

        private async Task RefuseAsync(PendingLine line, string? resource, FhirOperationException failure)
        {
            var outcome = ImportLineParser.Refusal(line.Number, resource, failure);
            await _errors.WriteAsync(Encoding.UTF8.GetBytes(FhirSerialization.JsonSerializer.SerializeToString(outcome)));
            await _errors.WriteAsync(Newline);
            _counts = _counts with { Refused = _counts.Refused + 1 };
        }

        private void Advance(PendingLine line)
        {
            _line = line.Number;
            _offset = line.EndOffset;
        }

        /// <summary>
        /// Commits the batch with the progress up to the last line handled. If a concurrent writer changed one of the
        /// batch's resources meanwhile, nothing was committed: the window's lines are handled again one at a time.
        /// </summary>
        private async Task CheckpointAsync(int input, bool finished, CancellationToken cancellationToken)
        {
            try
            {
                await CommitAsync(input, finished, cancellationToken);
            }
            catch (Exception ex) when (ex is VersionConflictException or ConditionClaimedException && _window.Count > 0)
            {
                await ReplayAloneAsync(input, finished, cancellationToken);
            }
        }

        private async Task CommitAsync(int input, bool finished, CancellationToken cancellationToken)
        {
            // The refused lines must be on disk before a checkpoint says they were reported.
            await _errors.FlushAsync(cancellationToken);
            _errors.Flush(flushToDisk: true);
            var inputs = Job.Progress.Inputs.ToArray();
            inputs[input] = _counts;
            var progress = finished
                ? new ImportProgress(input + 1, 0, 0, 0, inputs)
                : new ImportProgress(input, _line, _offset, _errors.Length, inputs);
            var writes = _batch.IsEmpty ? _batch.Writes : [.. _batch.Writes, Audit()];
            await owner.Jobs.CommitBatchAsync(Job, writes, progress, owner.Settings.Lease, cancellationToken);
            Job = Job with { Progress = progress, Sequence = Job.Sequence + 1 };
            _batch = new ImportBatch(reader);
            _window.Clear();
        }

        private async Task ReplayAloneAsync(int input, bool finished, CancellationToken cancellationToken)
        {
            var lines = _window.ToList();
            var committed = Job.Progress.Input == input ? Job.Progress : null;
            _counts = Job.Progress.Inputs[input];
            _errors.SetLength(committed?.ErrorBytes ?? 0);
            _errors.Seek(0, SeekOrigin.End);
            _batch = new ImportBatch(reader);
            _window.Clear();
            var (lastLine, lastOffset) = (_line, _offset);
            foreach (var line in lines)
            {
                await HandleAsync(line, alone: true, cancellationToken);
                try
                {
                    await CommitAsync(input, finished: false, cancellationToken);
                }
                catch (Exception ex) when (ex is VersionConflictException or ConditionClaimedException)
                {
                    // Raced again on its own: the line is refused as the REST write would be (409), and the rest go on.
                    _counts = Job.Progress.Inputs[input];
                    _batch = new ImportBatch(reader);
                    _window.Clear();
                    await RefuseAsync(line, null, FhirOperationException.Conflict("Another write changed this resource while it was imported; import the line again"));
                    await CommitAsync(input, finished: false, cancellationToken);
                }
            }

            (_line, _offset) = (lastLine, lastOffset);
            await CommitAsync(input, finished, cancellationToken);
        }

        /// <summary>One AuditEvent per committed batch, in its transaction, as a REST write carries its own.</summary>
        private ResourceWrite Audit()
        {
            var requester = Job.Requester;
            var caller = new AccessContext(requester.Subject, requester.ClientId, SmartScope.ParseAll(requester.Scopes), requester.Tenant, null, requester.IsDevelopmentUser);
            var writes = _batch.Writes;
            var now = owner.Clock.GetUtcNow();
            var record = new AuditRecord(
                FhirInteraction.Operation,
                null,
                "import",
                now,
                200,
                caller,
                requester.SourceAddress,
                [.. writes.Select(w => $"{w.ResourceType}/{w.Id}/_history/{w.VersionId}")],
                null,
                [.. writes.Select(w => AuditSubject.PatientOf(w.ResourceType, w.Id, w.Json)).OfType<string>()]);
            return audits.ToWrite(AuditEventFactory.Create(record), now);
        }
    }
}
