namespace AllianceFhir.Core.Import;

/// <summary>Where an import job is in its life. Terminal states never change again.</summary>
public enum ImportJobStatus
{
    /// <summary>Recorded, waiting for a worker.</summary>
    Queued,

    /// <summary>A worker holds its lease and imports; after a crash the lease runs out and another worker resumes it.</summary>
    Running,

    Completed,

    /// <summary>Could not go on (an input could not be fetched, the spool file is gone): what was committed stays.</summary>
    Failed,

    /// <summary>Cancelled by the requester (DELETE on the status URL): what was committed before stays.</summary>
    Cancelled,
}

/// <summary>One NDJSON input: a URL the server fetches, or an upload spooled to a file under the import folder.</summary>
/// <param name="Type">The resource type the input declares (Bulk Data <c>input.type</c>); every line must be of it. Null: any type.</param>
public sealed record ImportInput(string? Url, string? SpoolFile, string? Type)
{
    /// <summary>What the result names the input by: its URL, or for an upload the file name the server gave it.</summary>
    public string Name => Url ?? $"upload:{Path.GetFileName(SpoolFile)}";
}

/// <summary>
/// Who started the job, kept with it so the job acts with the same rights (and is audited with the same agents) after
/// a restart: the caller's tenant, subject, client, source address and the resource scopes of the token.
/// </summary>
/// <param name="ServiceBase">
/// The service base the job was started at (<see cref="References.ServiceBase"/>), so the job takes references under it
/// as local as a REST write from that request would; null in jobs recorded before it was kept.
/// </param>
public sealed record ImportRequester(
    string Tenant,
    string? Subject,
    string? ClientId,
    string? SourceAddress,
    IReadOnlyList<string> Scopes,
    bool IsDevelopmentUser,
    string? ServiceBase = null);

/// <summary>Counts of one input, as committed.</summary>
public sealed record ImportInputProgress(long Imported, long Unchanged, long Refused);

/// <summary>
/// How far a job has come, as committed with the last batch of writes: the input being read, how many of its lines
/// and bytes are done, the length of its error file at that point, and the counts of every input so far.
/// </summary>
public sealed record ImportProgress(int Input, long Line, long ByteOffset, long ErrorBytes, IReadOnlyList<ImportInputProgress> Inputs)
{
    public static ImportProgress Start(int inputs) => new(0, 0, 0, 0, [.. Enumerable.Repeat(new ImportInputProgress(0, 0, 0), inputs)]);

    public long Processed => Inputs.Sum(i => i.Imported + i.Unchanged + i.Refused);
}

/// <summary>An import job as stored.</summary>
/// <param name="Sequence">Incremented by every checkpoint: a checkpoint commits only over the sequence its worker last saw.</param>
public sealed record ImportJob(
    string Id,
    ImportRequester Requester,
    IReadOnlyList<ImportInput> Inputs,
    ImportJobStatus Status,
    ImportProgress Progress,
    long Sequence,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    string? Failure,
    string? LeaseOwner)
{
    public string Tenant => Requester.Tenant;

    public bool IsFinished => Status is ImportJobStatus.Completed or ImportJobStatus.Failed or ImportJobStatus.Cancelled;
}
