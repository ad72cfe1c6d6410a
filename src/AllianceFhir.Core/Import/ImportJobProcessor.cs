using System.Net;
using System.Text;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
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
    public async Task RunAsync(ImportJob job, ImportServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var run = new Run(this, job, new ImportLineWriter(services.Resources, services.Search, services.Store), services.Reader, services.Search);
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

    /// <summary>A sealed batch whose commit runs while the next batch is prepared.</summary>
    private sealed record InFlight(Task Commit, int Input, ImportBatch Batch, List<PendingLine> Window, ImportProgress Progress);

    /// <summary>
    /// Reads and prepares batch N+1 on the worker while batch N commits on the store's writer (when the store commits
    /// apart from the worker's context, <see cref="IImportJobStore.CommitsApart"/>): the two ran one after the other
    /// before, each leaving the other's core idle. A line that touches a resource or identifier of the batch in flight
    /// waits for its commit first, so every version is still prepared over the one stored before it; a batch in flight
    /// that loses a race is replayed line by line, and the lines prepared over it are handled again.
    /// </summary>
    private sealed class Run(ImportJobProcessor owner, ImportJob job, ImportLineWriter writer, IResourceReader reader, SearchService search)
    {
        private readonly List<PendingLine> _window = [];
        private ImportBatch _batch = null!;
        private InFlight? _inFlight;
        private Exception? _commitFailure;
        private FileStream _errors = null!;
        private ImportInputProgress _counts = null!;
        private long _line;
        private long _offset;

        public ImportJob Job { get; private set; } = job;

        public async Task ImportAllAsync(CancellationToken cancellationToken)
        {
            try
            {
                await ImportInputsAsync(cancellationToken);
            }
            finally
            {
                await SettleAsync();
            }
        }

        private async Task ImportInputsAsync(CancellationToken cancellationToken)
        {
            for (var input = Job.Progress.Input; input < Job.Inputs.Count; input++)
            {
                var resume = input == Job.Progress.Input;
                _line = resume ? Job.Progress.Line : 0;
                _offset = resume ? Job.Progress.ByteOffset : 0;
                _counts = Job.Progress.Inputs[input];
                _batch = new ImportBatch(reader, search);
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
                            await SealAsync(input, finished: false, cancellationToken);
                        }
                    }

                    await SealAsync(input, finished: true, cancellationToken);
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
                if (!alone)
                {
                    await WaitForHoldersAsync(ImportLineWriter.ConditionOf(resource), resource.Id is { Length: > 0 } id ? new ResourceKey(type, id) : null, cancellationToken);
                }

                var plan = await writer.PrepareAsync(resource, _batch, cancellationToken);
                while (!alone && !plan.Unchanged && (_batch.HoldsAny(plan.Writes) || _inFlight?.Batch.HoldsAny(plan.Writes) == true))
                {
                    // A derived resource a batch not yet committed writes: prepare this line again once it has committed.
                    await SealAsync(Job.Progress.Input, finished: false, cancellationToken);
                    await DrainAsync(cancellationToken);
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
            catch (Exception failure) when (failure is not OperationCanceledException && !ReferenceEquals(failure, _commitFailure))
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

        /// <summary>
        /// A line that writes a resource (or claims an identifier) a batch not yet committed holds is prepared only
        /// once that batch has committed: the batch being filled is sealed first, and the one in flight awaited.
        /// </summary>
        private async Task WaitForHoldersAsync(string? condition, ResourceKey? key, CancellationToken cancellationToken)
        {
            while (true)
            {
                if ((condition is not null && _batch.HoldsCondition(condition)) || (key is { } k && _batch.Holds(k)))
                {
                    await SealAsync(Job.Progress.Input, finished: false, cancellationToken);
                }
                else if (_inFlight is { } flight && ((condition is not null && flight.Batch.HoldsCondition(condition)) || (key is { } f && flight.Batch.Holds(f))))
                {
                    await DrainAsync(cancellationToken);
                }
                else
                {
                    return;
                }
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
        /// Hands the batch, with the progress up to the last line handled, to the store and starts a new one over it.
        /// The commit runs while the next lines are prepared; the last batch of an input (and every batch of a store
        /// that cannot commit apart) is awaited here.
        /// </summary>
        private async Task SealAsync(int input, bool finished, CancellationToken cancellationToken)
        {
            do
            {
                // Checkpoints follow one another: each expects the sequence the one before it left.
                await DrainAsync(cancellationToken);
                _inFlight = await StartCommitAsync(input, finished, cancellationToken);
                _batch = new ImportBatch(reader, search) { Previous = _inFlight.Batch };
                _window.Clear();
            }
            while ((finished || !owner.Jobs.CommitsApart) && !await DrainAsync(cancellationToken));
        }

        private async Task<InFlight> StartCommitAsync(int input, bool finished, CancellationToken cancellationToken)
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
            var commit = owner.Jobs.CommitBatchAsync(Job, writes, progress, owner.Settings.Lease, cancellationToken);
            return new InFlight(commit, input, _batch, [.. _window], progress);
        }

        /// <summary>
        /// Waits for the batch in flight. True when it committed (or none was in flight); false when it lost a race and
        /// was replayed, which also handled the lines read since again.
        /// </summary>
        private async Task<bool> DrainAsync(CancellationToken cancellationToken)
        {
            if (_inFlight is not { } flight)
            {
                return true;
            }

            _inFlight = null;
            try
            {
                await flight.Commit;
            }
            catch (Exception ex) when (ex is VersionConflictException or ConditionClaimedException && flight.Window.Count > 0)
            {
                await ReplayAsync(flight, cancellationToken);
                return false;
            }
            catch (Exception ex)
            {
                // Not the fault of the line being handled when it surfaces: the job stops and resumes from its checkpoint.
                _commitFailure = ex;
                throw;
            }

            Committed(flight.Progress);
            if (ReferenceEquals(_batch.Previous, flight.Batch))
            {
                _batch.Previous = null;
            }

            return true;
        }

        /// <summary>On leaving (done or failed), waits for a commit still in flight so the job's sequence is known.</summary>
        private async Task SettleAsync()
        {
            if (_inFlight is not { } flight)
            {
                return;
            }

            _inFlight = null;
            try
            {
                await flight.Commit;
                Committed(flight.Progress);
            }
            catch (Exception ex)
            {
                // The failure that made us leave is the one reported; this batch's lines are read again on resume.
                owner.Logger.LogInformation("Import job {JobId}: the batch in flight was not committed ({Exception})", Job.Id, ex.GetType().Name);
            }
        }

        private void Committed(ImportProgress progress) => Job = Job with { Progress = progress, Sequence = Job.Sequence + 1 };

        /// <summary>
        /// A concurrent writer changed one of the batch's resources meanwhile, so nothing of it was committed: its lines
        /// are handled and committed again one at a time, then the lines read since (prepared over it) are handled again.
        /// </summary>
        private async Task ReplayAsync(InFlight flight, CancellationToken cancellationToken)
        {
            var input = flight.Input;
            var later = _window.ToList();
            var committed = Job.Progress.Input == input ? Job.Progress : null;
            _counts = Job.Progress.Inputs[input];
            _errors.SetLength(committed?.ErrorBytes ?? 0);
            _errors.Seek(0, SeekOrigin.End);
            _batch = new ImportBatch(reader, search);
            _window.Clear();
            foreach (var line in flight.Window)
            {
                await HandleAsync(line, alone: true, cancellationToken);
                try
                {
                    await CommitNowAsync(input, cancellationToken);
                }
                catch (Exception ex) when (ex is VersionConflictException or ConditionClaimedException)
                {
                    // Raced again on its own: the line is refused as the REST write would be (409), and the rest go on.
                    _counts = Job.Progress.Inputs[input];
                    _batch = new ImportBatch(reader, search);
                    await RefuseAsync(line, null, FhirOperationException.Conflict("Another write changed this resource while it was imported; import the line again"));
                    await CommitNowAsync(input, cancellationToken);
                }
            }

            foreach (var line in later)
            {
                await HandleAsync(line, alone: false, cancellationToken);
                _window.Add(line);
            }
        }

        private async Task CommitNowAsync(int input, CancellationToken cancellationToken)
        {
            var flight = await StartCommitAsync(input, finished: false, cancellationToken);
            _batch = new ImportBatch(reader, search);
            try
            {
                await flight.Commit;
            }
            catch (Exception ex)
            {
                _batch = flight.Batch;
                _commitFailure = ex is VersionConflictException or ConditionClaimedException ? null : ex;
                throw;
            }

            Committed(flight.Progress);
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
            return AuditEventFactory.ToWrite(record, now);
        }
    }
}
