using System.Globalization;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// Replays one episode's series against the rules, oldest session first, and says which Flags exist (open or cleared)
/// and which change scores follow. Pure: no FHIR reads, no clock, so every rule is tested on hand-computed series.
/// A session without a score of the rule's code is skipped ("missing session"): drops compare with the previous
/// session that has the score, and intake is the first session that has it.
/// </summary>
public static class RuleEvaluator
{
    public static IReadOnlyList<FlagOutcome> Flags(IEnumerable<MonitoringRule> rules, IReadOnlyList<ScorePoint> series)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var outcomes = new List<FlagOutcome>();
        foreach (var rule in rules)
        {
            switch (rule.Kind)
            {
                case RuleKinds.Below:
                    outcomes.AddRange(Runs(rule, Ordered(series, rule.Scores[0]), (points, i) =>
                        points[i].Value < rule.Threshold!.Value
                            ? new Firing([points[i]], $"{Title(points[i].Code)} {N(points[i].Value)} is below {N(rule.Threshold.Value)}. {rule.Description}")
                            : null, (_, p) => p.Value >= rule.Threshold!.Value));
                    break;
                case RuleKinds.AnyBelow:
                    outcomes.AddRange(AnyBelow(rule, series));
                    break;
                case RuleKinds.Drop:
                    outcomes.AddRange(Drops(rule, Ordered(series, rule.Scores[0])));
                    break;
                case RuleKinds.ChangeFromIntake:
                    outcomes.AddRange(Worsening(rule, Ordered(series, rule.Scores[0])));
                    break;
                case RuleKinds.NoImprovementBySession:
                    outcomes.AddRange(NoImprovement(rule, Ordered(series, rule.Scores[0])));
                    break;
            }
        }

        return outcomes;
    }

    /// <summary>
    /// Jacobson &amp; Truax categories for every session after intake: deteriorated (change ≤ −R), recovered (change ≥ R and
    /// from below the cut-off to at or above it), improved (change ≥ R), otherwise unchanged. Each score is judged against
    /// its own Observation's cut-off (the band for the client's age on that day), so a client who turns 18 between intake
    /// and now started in the adolescent range and is judged now by the adult one.
    /// </summary>
    public static IReadOnlyList<ChangeOutcome> Changes(ChangeScoreDefinition definition, IReadOnlyList<ScorePoint> series)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var points = Ordered(series, definition.Score);
        if (points.Count < 2)
        {
            return [];
        }

        var intake = points[0];
        return points.Skip(1).Select(p =>
        {
            var change = p.Value - intake.Value;
            var startCutOff = intake.CutOff ?? p.CutOff;
            var nowCutOff = p.CutOff ?? intake.CutOff;
            var category = change <= -definition.ReliableChange ? "deteriorated"
                : change >= definition.ReliableChange && startCutOff is { } s && nowCutOff is { } c && intake.Value < s && p.Value >= c ? "recovered"
                : change >= definition.ReliableChange ? "improved"
                : "unchanged";
            return new ChangeOutcome(intake, p, change, category);
        }).ToList();
    }

    private sealed record Firing(IReadOnlyList<ScorePoint> Causes, string Reason);

    /// <summary>
    /// A Flag per run: opened where <paramref name="fires"/> first says so, kept open over later firing sessions, and
    /// cleared at the first later session <paramref name="clears"/> accepts (given the opening firing).
    /// </summary>
    private static IEnumerable<FlagOutcome> Runs(
        MonitoringRule rule,
        IReadOnlyList<ScorePoint> points,
        Func<IReadOnlyList<ScorePoint>, int, Firing?> fires,
        Func<Firing, ScorePoint, bool> clears)
    {
        Firing? open = null;
        for (var i = 0; i < points.Count; i++)
        {
            if (open is not null)
            {
                if (clears(open, points[i]))
                {
                    yield return new FlagOutcome(rule, open.Causes[^1].Code, open.Causes, open.Reason, points[i]);
                    open = null;
                }

                continue;
            }

            open = fires(points, i);
        }

        if (open is not null)
        {
            yield return new FlagOutcome(rule, open.Causes[^1].Code, open.Causes, open.Reason, null);
        }
    }

    private static IEnumerable<FlagOutcome> AnyBelow(MonitoringRule rule, IReadOnlyList<ScorePoint> series)
    {
        var threshold = rule.Threshold!.Value;
        var sessions = series.Where(p => rule.Scores.Contains(p.Code))
            .GroupBy(p => p.Session)
            .Select(g => g.OrderBy(p => rule.Scores.IndexOf(p.Code)).ToList())
            .OrderBy(g => g.Max(p => p.Effective)).ThenBy(g => g[0].Session, StringComparer.Ordinal)
            .ToList();
        List<ScorePoint>? open = null;
        foreach (var session in sessions)
        {
            var low = session.Where(p => p.Value < threshold).ToList();
            if (open is null && low.Count > 0)
            {
                open = low;
            }
            else if (open is not null && low.Count == 0)
            {
                yield return new FlagOutcome(rule, open[0].Code, open, AnyBelowReason(rule, open), session[0]);
                open = null;
            }
        }

        if (open is not null)
        {
            yield return new FlagOutcome(rule, open[0].Code, open, AnyBelowReason(rule, open), null);
        }
    }

    private static string AnyBelowReason(MonitoringRule rule, IReadOnlyList<ScorePoint> low) =>
        $"{string.Join(", ", low.Select(p => $"{Title(p.Code)} {N(p.Value)}"))} below {N(rule.Threshold!.Value)}. {rule.Description}";

    private static IEnumerable<FlagOutcome> Drops(MonitoringRule rule, IReadOnlyList<ScorePoint> points)
    {
        var threshold = rule.DropThreshold;
        return Runs(rule, points, (p, i) =>
        {
            if (i == 0 || p[i - 1].Value - p[i].Value <= threshold)
            {
                return null;
            }

            var reason = $"{Title(p[i].Code)} fell from {N(p[i - 1].Value)} to {N(p[i].Value)}"
                + (threshold > 0 ? $", more than the reliable-change threshold of {N(Math.Round(threshold, 2))}. " : ". ")
                + rule.Description;
            return new Firing([p[i - 1], p[i]], reason);
        }, (firing, p) => p.Value >= firing.Causes[0].Value);
    }

    private static IEnumerable<FlagOutcome> Worsening(MonitoringRule rule, List<ScorePoint> points)
    {
        if (points.Count < 2)
        {
            return [];
        }

        var intake = points[0];
        var reliable = rule.ReliableChange!.Value;
        return Runs(rule, points, (p, i) => i > 0 && intake.Value - p[i].Value >= reliable
            ? new Firing([intake, p[i]], $"{Title(p[i].Code)} {N(p[i].Value)} is {N(intake.Value - p[i].Value)} below intake ({N(intake.Value)}). {rule.Description}")
            : null, (_, p) => intake.Value - p.Value < reliable);
    }

    private static IEnumerable<FlagOutcome> NoImprovement(MonitoringRule rule, List<ScorePoint> points)
    {
        var session = rule.Session!.Value;
        if (points.Count < session)
        {
            return [];
        }

        var intake = points[0];
        var reliable = rule.ReliableChange!.Value;
        var at = points[session - 1];
        if (at.Value - intake.Value >= reliable)
        {
            return [];
        }

        var reason = $"At session {session} {Title(at.Code)} is {N(at.Value)} against {N(intake.Value)} at intake: no reliable improvement (at least {N(reliable)} points). {rule.Description}";
        var cleared = points.Skip(session).FirstOrDefault(p => p.Value - intake.Value >= reliable);
        return [new FlagOutcome(rule, at.Code, [intake, at], reason, cleared)];
    }

    private static List<ScorePoint> Ordered(IReadOnlyList<ScorePoint> series, string code) =>
        series.Where(p => p.Code == code)
            .OrderBy(p => p.Effective).ThenBy(p => p.Session, StringComparer.Ordinal)
            .ToList();

    private static string Title(string code) => code switch
    {
        _ when code.EndsWith("-total", StringComparison.Ordinal) => code[..^"-total".Length].ToUpperInvariant() + " total",
        _ when code.Contains("-item-", StringComparison.Ordinal) => code[..code.IndexOf("-item-", StringComparison.Ordinal)].ToUpperInvariant() + " line " + code[(code.LastIndexOf('-') + 1)..],
        _ => code,
    };

    private static string N(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
