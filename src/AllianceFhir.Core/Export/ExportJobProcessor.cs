using System.Text;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Serialization;
using AllianceFhir.Core.Subscriptions;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.Extensions.Logging;

namespace AllianceFhir.Core.Export;

/// <summary>Page size, lease and file lifetime of export jobs (from the host's Export settings).</summary>
public sealed record ExportSettings(int PageSize, TimeSpan Lease, TimeSpan Retention);

/// <summary>
/// Runs one export job from its last checkpoint: per type, pages of resources read from the store in store order are
/// appended to the type's NDJSON file, flushed, and the file length and store position checkpointed, so memory holds
/// one page and a resumed job cuts the file back to its checkpoint and goes on after it. Stored JSON is written as it
/// is; only <c>_elements</c> makes a resource be parsed and trimmed.
/// </summary>
/// <param name="serviceBase">The base the job takes as this server's (the host decides it: see ExportWorker).</param>
public sealed class ExportJobProcessor(
    IExportJobStore jobs,
    IExportSource source,
    ExportFolder folder,
    AccessPolicy policy,
    SearchParameterRegistry registry,
    ServiceBase serviceBase,
    ExportSettings settings,
    TimeProvider clock,
    ILogger<ExportJobProcessor> logger)
{
    private static ReadOnlySpan<byte> NewLine => "\n"u8;

    // The filters are search text, parsed again here: a value under the base searches as its relative form, as at kick-off.
    private readonly SearchQueryParser _parser = new(registry, serviceBase);

    public async Task RunAsync(ExportJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = job.Request;
        var caller = job.Requester.ToAccessContext(serviceBase);
        var progress = job.Progress;
        while (progress.Type < request.Types.Count)
        {
            var type = request.Types[progress.Type];
            var alternatives = Alternatives(caller, request, type);
            var compartment = request.Level switch
            {
                ExportLevel.Patient => ExportCompartment.AllPatients,
                ExportLevel.Group => ExportCompartment.GroupMembers,
                _ => ExportCompartment.None,
            };
            var elements = ElementsOf(request.Elements, type);
            await using (var file = folder.OpenType(job.Id, type, progress.Bytes))
            {
                while (true)
                {
                    var (written, last) = (0, 0L);
                    var page = new ExportPage(type, request.TransactionTime, request.Since, alternatives, compartment, request.GroupId, progress.After, settings.PageSize);
                    await foreach (var row in source.ReadPageAsync(job.Tenant, page, cancellationToken))
                    {
                        // The stored bytes go to the file buffer as they are, synchronously: nothing waits per resource.
                        var json = Masked(type, row.Json);
                        file.Write(elements.Count == 0 ? json.Span : Subset(json.Span, elements));
                        file.Write(NewLine);
                        (written, last) = (written + 1, row.Position);
                    }

                    if (written == 0)
                    {
                        break;
                    }

                    // On disk before the checkpoint that counts it: a resumed job trusts the recorded length.
                    file.Flush(flushToDisk: true);
                    var counts = progress.Counts.ToArray();
                    counts[progress.Type] += written;
                    progress = progress with { After = last, Bytes = file.Length, Counts = counts };
                    if (!await CheckpointAsync(job, progress, cancellationToken))
                    {
                        return;
                    }

                    job = job with { Sequence = job.Sequence + 1 };
                    if (written < settings.PageSize)
                    {
                        break;
                    }
                }
            }

            if (progress.Counts[progress.Type] == 0)
            {
                File.Delete(folder.TypeFile(job.Id, type));
            }

            progress = progress with { Type = progress.Type + 1, After = 0, Bytes = 0 };
            if (!await CheckpointAsync(job, progress, cancellationToken))
            {
                return;
            }

            job = job with { Sequence = job.Sequence + 1 };
        }

        if (await jobs.FinishAsync(job, ExportJobStatus.Completed, null, clock.GetUtcNow() + settings.Retention, cancellationToken))
        {
            logger.LogInformation("Export job {JobId} completed: {Count} resources", job.Id, progress.Exported);
        }
    }

    /// <summary>False when the job was cancelled (its files are deleted here, as the cancel may have raced a write) or taken over.</summary>
    private async Task<bool> CheckpointAsync(ExportJob job, ExportProgress progress, CancellationToken cancellationToken)
    {
        if (await jobs.CheckpointAsync(job, progress, settings.Lease, cancellationToken))
        {
            return true;
        }

        var now = await jobs.FindAsync(job.Tenant, job.Id, cancellationToken);
        if (now is null || now.Status == ExportJobStatus.Cancelled)
        {
            folder.Delete(job.Id);
        }

        logger.LogInformation("Export job {JobId} stopped: it was cancelled or taken over", job.Id);
        return false;
    }

    /// <summary>
    /// The type's queries, each with the caller's restrictions AND-ed in (patient compartment, a scope's search): one
    /// per <c>_typeFilter</c> of the type (OR-ed), or the restrictions alone.
    /// </summary>
    private List<IReadOnlyList<SearchCriterion>> Alternatives(AccessContext caller, ExportRequest request, string type)
    {
        var queries = request.TypeFilters.TryGetValue(type, out var filters) && filters.Count > 0
            ? filters.Select(f => _parser.Parse(type, QueryParameters.Parse(f)))
            : [_parser.Parse(type, [])];
        return [.. queries.Select(q => policy.AuthorizeSearch(caller, q).Criteria)];
    }

    private static List<string> ElementsOf(IReadOnlyList<string> elements, string type) =>
        [.. elements
            .Select(e => e.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0
                ? (e[..dot] == type ? e[(dot + 1)..] : null)
                : e)
            .Where(e => e is not null && ExportKickOff.HasElement(type, e))
            .Select(e => e!)];

    /// <summary>A bulk copy sits in files until they expire: never with a Subscription's endpoint credentials.</summary>
    private static ReadOnlyMemory<byte> Masked(string type, ReadOnlyMemory<byte> json)
    {
        if (!ChannelHeaderMask.MayHaveHeaders(type, json.Span))
        {
            return json;
        }

        return Encoding.UTF8.GetBytes(ChannelHeaderMask.MaskJson(Encoding.UTF8.GetString(json.Span)));
    }

    private static byte[] Subset(ReadOnlySpan<byte> json, List<string> elements)
    {
        var resource = FhirSerialization.ParseStored(Encoding.UTF8.GetString(json));
        var subset = ResourceSubsetting.Apply(resource, SummaryMode.False, elements);
        return Encoding.UTF8.GetBytes(FhirSerialization.ToStoredJson(subset));
    }
}
