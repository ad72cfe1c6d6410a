using AllianceFhir.Core.References;
using AllianceFhir.Core.Security;

namespace AllianceFhir.Core.Export;

/// <summary>Where an export job is in its life. Terminal states never change again.</summary>
public enum ExportJobStatus
{
    /// <summary>Recorded, waiting for a worker.</summary>
    Queued,

    /// <summary>A worker holds its lease and writes files; after a crash the lease runs out and another worker resumes it.</summary>
    Running,

    Completed,

    /// <summary>Could not go on (the Group was deleted, the folder is not writable).</summary>
    Failed,

    /// <summary>Cancelled by the requester (DELETE on the status URL): its files are deleted.</summary>
    Cancelled,
}

/// <summary>The three kick-off URLs of Bulk Data Access 2.0.</summary>
public enum ExportLevel
{
    /// <summary><c>[base]/$export</c>: every resource of the requested types.</summary>
    System,

    /// <summary><c>[base]/Patient/$export</c>: the Patient compartment of every patient.</summary>
    Patient,

    /// <summary><c>[base]/Group/[id]/$export</c>: the Patient compartment of the group's member patients.</summary>
    Group,
}

/// <summary>
/// Who started the job, kept with it so the job reads with the same rights after a restart: tenant, subject, client,
/// the token's resource scopes and its patient claim (patient/ scopes narrow the export to that patient's compartment).
/// </summary>
/// <param name="ServiceBase">
/// The service base the job was kicked off at (<see cref="References.ServiceBase"/>), so its <c>_typeFilter</c> values
/// under that base select what the same search from that request would, as an <c>$import</c> job keeps its base; null in
/// jobs recorded before it was kept.
/// </param>
public sealed record ExportRequester(
    string Tenant,
    string? Subject,
    string? ClientId,
    IReadOnlyList<string> Scopes,
    string? Patient,
    bool IsDevelopmentUser,
    string? ServiceBase = null)
{
    public static ExportRequester Of(AccessContext caller, string tenant, string? serviceBase)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new ExportRequester(tenant, caller.Subject, caller.ClientId, [.. caller.Scopes.Select(s => s.ToString())], caller.Patient, caller.IsDevelopmentUser, serviceBase);
    }

    /// <summary>The caller as the access policy sees it, rebuilt from what the job recorded, addressing the base the job runs with.</summary>
    public AccessContext ToAccessContext(ServiceBase serviceBase) =>
        (IsDevelopmentUser
            ? AccessContext.Development with { Tenant = Tenant }
            : new AccessContext(Subject, ClientId, SmartScope.ParseAll(Scopes), Tenant, Patient)) with { ServiceBase = serviceBase };

    /// <summary>Only the tenant and requester (subject and client) that started a job may see it.</summary>
    public bool IsSameCaller(AccessContext caller) =>
        caller is not null && caller.Tenant == Tenant && caller.Subject == Subject && caller.ClientId == ClientId;
}

/// <summary>
/// What the kick-off asked for, validated: the level, the types in the order they are written, the filters per type
/// (search query strings, parsed again by the worker), <c>_since</c>, <c>_elements</c>, and the server's
/// transactionTime: only versions written at or before it are exported.
/// </summary>
public sealed record ExportRequest(
    ExportLevel Level,
    string? GroupId,
    IReadOnlyList<string> Types,
    DateTimeOffset? Since,
    IReadOnlyDictionary<string, IReadOnlyList<string>> TypeFilters,
    IReadOnlyList<string> Elements,
    string OutputFormat,
    string RequestUrl,
    DateTimeOffset TransactionTime);

/// <summary>
/// How far a job has come, as committed by its last checkpoint: the type being written, the store position after the
/// last exported resource of it, the length of its file at that point, and the count of every type so far.
/// </summary>
public sealed record ExportProgress(int Type, long After, long Bytes, IReadOnlyList<long> Counts)
{
    public static ExportProgress Start(int types) => new(0, 0, 0, [.. Enumerable.Repeat(0L, types)]);

    public long Exported => Counts.Sum();
}

/// <summary>An export job as stored.</summary>
/// <param name="Sequence">Incremented by every checkpoint: a checkpoint commits only over the sequence its worker last saw.</param>
/// <param name="ErrorCount">OperationOutcomes in the job's error file (parameters ignored under lenient handling).</param>
public sealed record ExportJob(
    string Id,
    ExportRequester Requester,
    ExportRequest Request,
    ExportJobStatus Status,
    ExportProgress Progress,
    int ErrorCount,
    long Sequence,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? ExpiresAt,
    string? Failure,
    string? LeaseOwner)
{
    public string Tenant => Requester.Tenant;

    public bool IsFinished => Status is ExportJobStatus.Completed or ExportJobStatus.Failed or ExportJobStatus.Cancelled;
}
