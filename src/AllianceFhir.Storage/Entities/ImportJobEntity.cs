namespace AllianceFhir.Storage.Entities;

/// <summary>
/// One $import job (<see cref="Core.Import.ImportJob"/>). Its progress is rewritten by every checkpoint, in the same
/// transaction as the resources the checkpoint's batch writes; <see cref="Sequence"/> and the lease make that a
/// compare-and-set, so only the worker holding the job, and only once per batch, can advance it.
/// </summary>
public sealed class ImportJobEntity
{
    public required string Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary>The <see cref="Core.Import.ImportJobStatus"/> name.</summary>
    public required string Status { get; set; }

    /// <summary>The inputs and the requester, as JSON: written once, when the job is recorded.</summary>
    public required string Request { get; set; }

    /// <summary>The committed <see cref="Core.Import.ImportProgress"/>, as JSON.</summary>
    public required string Progress { get; set; }

    public long Sequence { get; set; }

    public string? LeaseOwner { get; set; }

    /// <summary>UTC; after it, another worker may take the job over.</summary>
    public DateTime? LeaseUntil { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Why a failed job stopped; never holds imported data.</summary>
    public string? Failure { get; set; }
}
