namespace AllianceFhir.Storage.Entities;

/// <summary>
/// One $export job (<see cref="Core.Export.ExportJob"/>), with the columns and lease protocol of
/// <see cref="ImportJobEntity"/>: every checkpoint is a compare-and-set over <see cref="Sequence"/> by the lease holder.
/// </summary>
public sealed class ExportJobEntity
{
    public required string Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary>The <see cref="Core.Export.ExportJobStatus"/> name.</summary>
    public required string Status { get; set; }

    /// <summary>The validated request and the requester, as JSON: written once, when the job is recorded.</summary>
    public required string Request { get; set; }

    /// <summary>The committed <see cref="Core.Export.ExportProgress"/>, as JSON.</summary>
    public required string Progress { get; set; }

    /// <summary>OperationOutcomes in the job's error file.</summary>
    public int ErrorCount { get; set; }

    public long Sequence { get; set; }

    public string? LeaseOwner { get; set; }

    /// <summary>UTC; after it, another worker may take the job over.</summary>
    public DateTime? LeaseUntil { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>UTC; after it the job's files are deleted and the job forgotten.</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>Why a failed job stopped; never holds exported data.</summary>
    public string? Failure { get; set; }
}
