namespace AllianceFhir.Core.Import;

/// <summary>
/// The job is no longer this worker's to advance (cancelled, or its lease passed to another worker after this one
/// stalled): the batch was not committed, and the worker stops.
/// </summary>
public sealed class ImportLeaseLostException(string jobId)
    : Exception($"Import job {jobId} is no longer leased to this worker, or no longer running");
