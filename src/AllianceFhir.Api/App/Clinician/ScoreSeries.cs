using Hl7.Fhir.Model;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>One score of one session, and the flags that point at it.</summary>
/// <param name="Interpretation">The Observation's own interpretation (the cut-off band it fell in), in words.</param>
/// <param name="CutOff">The cut-off this score was judged against (its referenceRange: for ORS, the band for the client's age that day).</param>
public sealed record ScorePoint(DateTimeOffset? When, decimal Value, string ObservationId, string? Interpretation, IReadOnlyList<Flag> Flags, decimal? CutOff = null);

/// <summary>A score boundary of the instrument, and what a score below it means.</summary>
public sealed record CutOff(decimal Value, string Meaning);

/// <summary>The trend of one score code (an instrument's total or a subscale) across the patient's sessions.</summary>
public sealed record ScoreSeries(string Code, string Name, IReadOnlyList<ScorePoint> Points, IReadOnlyList<CutOff> CutOffs);

/// <summary>The scores one instrument produced for the patient.</summary>
public sealed record InstrumentScores(string Title, string? Canonical, IReadOnlyList<ScoreSeries> Series);
