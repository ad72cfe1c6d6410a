using System.Text.Json;
using AllianceFhir.Core.Import;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// Import jobs in the <c>ImportJobs</c> table. Claims, cancels and finishes are compare-and-set updates, so workers
/// of several replicas (SQL Server) never run the same job at once; checkpoints go through the provider's committer,
/// in the transaction of the batch they follow.
/// </summary>
internal sealed class EfImportJobStore(FhirDbContext db, ICheckpointCommitter committer, TimeProvider clock) : IImportJobStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The Failure column's length.</summary>
    private const int FailureLength = 1000;

    private static readonly string Queued = nameof(ImportJobStatus.Queued);
    private static readonly string Running = nameof(ImportJobStatus.Running);

    public bool CommitsApart => committer.CommitsApart;

    public async Task CreateAsync(ImportJob job, CancellationToken cancellationToken)
    {
        db.ImportJobs.Add(new ImportJobEntity
        {
            Id = job.Id,
            TenantId = job.Tenant,
            Status = job.Status.ToString(),
            Request = JsonSerializer.Serialize(new StoredRequest(job.Requester, job.Inputs), Json),
            Progress = JsonSerializer.Serialize(job.Progress, Json),
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

    public async Task<ImportJob?> FindAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var row = await db.ImportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.TenantId == tenant, cancellationToken);
        return row is null ? null : ToJob(row);
    }

    public async Task<ImportJob?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var candidates = await db.ImportJobs.AsNoTracking()
            .Where(j => j.Status == Queued || (j.Status == Running && j.LeaseUntil < now))
            .OrderBy(j => j.CreatedAt)
            .Select(j => new { j.Id, j.Sequence, j.Status, j.LeaseOwner })
            .Take(5)
            .ToListAsync(cancellationToken);
        foreach (var candidate in candidates)
        {
            // Whoever moves the sequence first has it; a worker that lost the race tries the next one.
            var until = now + lease;
            var claimed = await db.ImportJobs
                .Where(j => j.Id == candidate.Id && j.Sequence == candidate.Sequence && j.Status == candidate.Status && j.LeaseOwner == candidate.LeaseOwner)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(j => j.Status, Running)
                        .SetProperty(j => j.LeaseOwner, owner)
                        .SetProperty(j => j.LeaseUntil, until)
                        .SetProperty(j => j.Sequence, candidate.Sequence + 1),
                    cancellationToken);
            if (claimed == 1)
            {
                var row = await db.ImportJobs.AsNoTracking().FirstAsync(j => j.Id == candidate.Id, cancellationToken);
                return ToJob(row);
            }
        }

        return null;
    }

    public Task CommitBatchAsync(ImportJob job, IReadOnlyList<ResourceWrite> writes, ImportProgress progress, TimeSpan lease, CancellationToken cancellationToken) =>
        committer.CommitAsync(
            job.Tenant,
            writes,
            new JobCheckpoint(job.Id, job.LeaseOwner!, job.Sequence, JsonSerializer.Serialize(progress, Json), clock.GetUtcNow().UtcDateTime + lease),
            cancellationToken);

    public async Task ReleaseAsync(string owner, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.ImportJobs
            .Where(j => j.LeaseOwner == owner && j.Status == Running && j.LeaseUntil > now)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, now), cancellationToken);
    }

    public async Task<bool> FinishAsync(ImportJob job, ImportJobStatus status, string? failure, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var text = status.ToString();
        failure = failure is { Length: > FailureLength } ? failure[..FailureLength] : failure;
        return await db.ImportJobs
            .Where(j => j.Id == job.Id && j.Sequence == job.Sequence && j.LeaseOwner == job.LeaseOwner && j.Status == Running)
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.Status, text)
                    .SetProperty(j => j.FinishedAt, now)
                    .SetProperty(j => j.Failure, failure)
                    .SetProperty(j => j.LeaseOwner, (string?)null)
                    .SetProperty(j => j.Sequence, job.Sequence + 1),
                cancellationToken) == 1;
    }

    public async Task<bool> CancelAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cancelled = nameof(ImportJobStatus.Cancelled);

        // The sequence moves too, so a worker's next checkpoint finds the job changed and commits nothing more.
        return await db.ImportJobs
            .Where(j => j.Id == id && j.TenantId == tenant && (j.Status == Queued || j.Status == Running))
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.Status, cancelled)
                    .SetProperty(j => j.FinishedAt, now)
                    .SetProperty(j => j.Sequence, j => j.Sequence + 1),
                cancellationToken) == 1;
    }

    private static ImportJob ToJob(ImportJobEntity row)
    {
        var request = JsonSerializer.Deserialize<StoredRequest>(row.Request, Json)!;
        return new ImportJob(
            row.Id,
            request.Requester,
            request.Inputs,
            Enum.Parse<ImportJobStatus>(row.Status),
            JsonSerializer.Deserialize<ImportProgress>(row.Progress, Json)!,
            row.Sequence,
            new DateTimeOffset(row.CreatedAt, TimeSpan.Zero),
            row.FinishedAt is { } finished ? new DateTimeOffset(finished, TimeSpan.Zero) : null,
            row.Failure,
            row.LeaseOwner);
    }

    private sealed record StoredRequest(ImportRequester Requester, IReadOnlyList<ImportInput> Inputs);
}
