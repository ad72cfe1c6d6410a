namespace AllianceFhir.Core.Import;

/// <summary>How an import worker runs.</summary>
/// <param name="BatchSize">Resources (with the Observations they derive) per transaction.</param>
/// <param name="MaxLineBytes">A longer NDJSON line is refused unread.</param>
/// <param name="Lease">How long a worker holds a job without a checkpoint before another may resume it.</param>
public sealed record ImportSettings(int BatchSize, int MaxLineBytes, TimeSpan Lease);
