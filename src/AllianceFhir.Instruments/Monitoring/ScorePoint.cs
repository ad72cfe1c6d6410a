namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// One score of one session: the Observation's id, code, value and time, the session it came from (the response it was
/// derived from) and, where the Observation states one, its clinical cut-off (<c>referenceRange.low</c>).
/// </summary>
public sealed record ScorePoint(string ObservationId, string Code, decimal Value, DateTimeOffset Effective, string Session, decimal? CutOff);

/// <summary>A Flag the replay says should exist: opened by <see cref="Causes"/>[0], resolved by <see cref="ResolvedBy"/> if cleared.</summary>
public sealed record FlagOutcome(MonitoringRule Rule, string Score, IReadOnlyList<ScorePoint> Causes, string Reason, ScorePoint? ResolvedBy);

/// <summary>A change score the replay derives: <paramref name="Current"/> against <paramref name="Intake"/>.</summary>
public sealed record ChangeOutcome(ScorePoint Intake, ScorePoint Current, decimal Change, string Category);
