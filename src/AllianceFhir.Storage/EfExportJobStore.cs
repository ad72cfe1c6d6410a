using System.Text.Json;
using AllianceFhir.Core.Export;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// Export jobs in the <c>ExportJobs</c> table, with <see cref="EfImportJobStore"/>'s protocol: claims, checkpoints,
/// cancels and finishes are compare-and-set updates, so workers of several replicas never run the same job at once.
/// An export's checkpoint writes no resources, so it is one UPDATE of the job row, not a commit through the committer.
/// </summary>
internal sealed class EfExportJobStore(FhirDbContext db, TimeProvider clock) : IExportJobStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const int FailureLength = 1000;

    private static readonly string Queued = nameof(ExportJobStatus.Queued);
    private static readonly string Running = nameof(ExportJobStatus.Running);
    private static readonly string Cancelled = nameof(ExportJobStatus.Cancelled);

    public async Task CreateAsync(ExportJob job, CancellationToken cancellationToken)
    {
        db.ExportJobs.Add(new ExportJobEntity
        {
            Id = job.Id,
            TenantId = job.Tenant,
            Status = job.Status.ToString(),
            Request = JsonSerializer.Serialize(new StoredRequest(job.Requester, job.Request), Json),
            Progress = JsonSerializer.Serialize(job.Progress, Json),
            ErrorCount = job.ErrorCount,
            Sequence = job.Sequence,
            CreatedAt = job.CreatedAt.UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task<ExportJob?> FindAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var row = await db.ExportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.TenantId == tenant, cancellationToken);
        return row is null ? null : ToJob(row);
    }

    public async Task<ExportJob?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var candidates = await db.ExportJobs.AsNoTracking()
            .Where(j => j.Status == Queued || (j.Status == Running && j.LeaseUntil < now))
            .OrderBy(j => j.CreatedAt)
            .ThenBy(j => j.Id)
            .Select(j => new { j.Id, j.Sequence, j.Status, j.LeaseOwner })
            .Take(5)
            .ToListAsync(cancellationToken);
        foreach (var candidate in candidates)
        {
            var until = now + lease;
            var claimed = await db.ExportJobs
                .Where(j => j.Id == candidate.Id && j.Sequence == candidate.Sequence && j.Status == candidate.Status && j.LeaseOwner == candidate.LeaseOwner)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(j => j.Status, Running)
                        .SetProperty(j => j.LeaseOwner, owner)
                        .SetProperty(j => j.LeaseUntil, until)
                        .SetProperty(j => j.Sequence, candidate.Sequence + 1),
                    cancellationToken);
            if (claimed == 1)
            {
                var row = await db.ExportJobs.AsNoTracking().FirstAsync(j => j.Id == candidate.Id, cancellationToken);
                return ToJob(row);
            }
        }

        return null;
    }

    public async Task<bool> CheckpointAsync(ExportJob job, ExportProgress progress, TimeSpan lease, CancellationToken cancellationToken)
    {
        var until = clock.GetUtcNow().UtcDateTime + lease;
        var text = JsonSerializer.Serialize(progress, Json);
        return await db.ExportJobs
            .Where(j => j.Id == job.Id && j.Sequence == job.Sequence && j.LeaseOwner == job.LeaseOwner && j.Status == Running)
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.Progress, text)
                    .SetProperty(j => j.LeaseUntil, until)
                    .SetProperty(j => j.Sequence, job.Sequence + 1),
                cancellationToken) == 1;
    }

    public async Task<bool> FinishAsync(ExportJob job, ExportJobStatus status, string? failure, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var expires = expiresAt.UtcDateTime;
        var text = status.ToString();
        failure = failure is { Length: > FailureLength } ? failure[..FailureLength] : failure;
        return await db.ExportJobs
            .Where(j => j.Id == job.Id && j.Sequence == job.Sequence && j.LeaseOwner == job.LeaseOwner && j.Status == Running)
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.Status, text)
                    .SetProperty(j => j.FinishedAt, now)
                    .SetProperty(j => j.ExpiresAt, expires)
                    .SetProperty(j => j.Failure, failure)
                    .SetProperty(j => j.LeaseOwner, (string?)null)
                    .SetProperty(j => j.Sequence, job.Sequence + 1),
                cancellationToken) == 1;
    }

    public async Task ReleaseAsync(string owner, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.ExportJobs
            .Where(j => j.LeaseOwner == owner && j.Status == Running && j.LeaseUntil > now)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, now), cancellationToken);
    }

    public async Task<bool> CancelAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;

        // Finished jobs can be cancelled too (their files go at once); the sequence moves so a worker's next
        // checkpoint finds the job changed and writes nothing more.
        return await db.ExportJobs
            .Where(j => j.Id == id && j.TenantId == tenant && j.Status != Cancelled)
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.Status, Cancelled)
                    .SetProperty(j => j.FinishedAt, now)
                    .SetProperty(j => j.ExpiresAt, now)
                    .SetProperty(j => j.Sequence, j => j.Sequence + 1),
                cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var at = now.UtcDateTime;
        return await db.ExportJobs.AsNoTracking()
            .Where(j => j.ExpiresAt != null && j.ExpiresAt <= at)
            .OrderBy(j => j.ExpiresAt)
            .ThenBy(j => j.Id)
            .Select(j => j.Id)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        await db.ExportJobs.Where(j => j.Id == id).ExecuteDeleteAsync(cancellationToken);

    private static ExportJob ToJob(ExportJobEntity row)
    {
        var stored = JsonSerializer.Deserialize<StoredRequest>(row.Request, Json)!;
        return new ExportJob(
            row.Id,
            stored.Requester,
            stored.Request,
            Enum.Parse<ExportJobStatus>(row.Status),
            JsonSerializer.Deserialize<ExportProgress>(row.Progress, Json)!,
            row.ErrorCount,
            row.Sequence,
            new DateTimeOffset(row.CreatedAt, TimeSpan.Zero),
            row.FinishedAt is { } finished ? new DateTimeOffset(finished, TimeSpan.Zero) : null,
            row.ExpiresAt is { } expires ? new DateTimeOffset(expires, TimeSpan.Zero) : null,
            row.Failure,
            row.LeaseOwner);
    }

    private sealed record StoredRequest(ExportRequester Requester, ExportRequest Request);
}
