using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// Runs the rules for the episodes a write's score Observations belong to, inside that write: reads each episode's
/// score series through the write's reader (with the write's new versions in place of the stored ones), replays the rules
/// (<see cref="RuleEvaluator"/>) and brings the stored Flags and change Observations in line with the replay as dependent
/// writes, so they commit with the write or not at all. The one entry point is <see cref="MonitoringWriteSetHook"/>:
/// a score counts the same whether a client wrote it or a response's extraction derived it.
/// </summary>
public sealed class MonitoringEvaluator(MonitoringRules rules)
{
    /// <summary>Asked on every Observation write, so built once: the rules do not change while the server runs.</summary>
    private readonly IReadOnlySet<string> _codes = rules.ScoreCodes;

    /// <param name="written">The Observations the write puts in place (new versions; entered-in-error ones take their score away).</param>
    /// <param name="withdrawn">The stored versions the write replaces or deletes: their episodes are judged again too.</param>
    public async System.Threading.Tasks.Task EvaluateAsync(
        ResourceWriteContext context,
        IReadOnlyList<Observation> written,
        IReadOnlyList<Observation> withdrawn,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var codes = _codes;
        if (codes.Count == 0)
        {
            return;
        }

        var scores = written.Concat(withdrawn).Where(o => IsScore(o, codes)).ToList();
        if (scores.Count == 0)
        {
            // Nothing this write touches is read by a rule (the rules' own change Observations included).
            return;
        }

        var episodes = new EpisodeResolver(context.Reader);
        var affected = new List<(string Patient, string? Episode)>();
        foreach (var score in scores)
        {
            if (PatientOf(score) is not { } patient)
            {
                continue;
            }

            var key = (patient, await episodes.OfAsync(score.Encounter, cancellationToken));
            if (!affected.Contains(key))
            {
                affected.Add(key);
            }
        }

        var replaced = written.Concat(withdrawn).Select(o => o.Id).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var current = written.Where(o => IsScore(o, codes) && o.Status != ObservationStatus.EnteredInError).ToList();
        foreach (var (patient, episode) in affected)
        {
            await EvaluateEpisodeAsync(context, episodes, patient, episode, current, replaced, cancellationToken);
        }
    }

    private async System.Threading.Tasks.Task EvaluateEpisodeAsync(
        ResourceWriteContext context,
        EpisodeResolver episodes,
        string patient,
        string? episode,
        IReadOnlyList<Observation> current,
        HashSet<string> replaced,
        CancellationToken cancellationToken)
    {
        var codes = _codes;
        var changeCode = rules.Set.Change?.Code;
        var searchCodes = string.Join(',', codes.Concat(changeCode is null ? [] : [changeCode]).Select(c => $"{ExtensionUrls.AllianceScoreSystem}|{c}"));
        var stored = (await context.Reader.SearchAsync("Observation", [new("subject", patient), new("code", searchCodes)], cancellationToken))
            .OfType<Observation>()
            .Where(o => o.Status != ObservationStatus.EnteredInError)
            .ToList();

        var series = new List<ScorePoint>();
        var observations = new Dictionary<string, Observation>(StringComparer.Ordinal);
        var candidates = stored.Where(o => IsScore(o, codes) && o.Id is not null && !replaced.Contains(o.Id))
            .Concat(current.Where(o => PatientOf(o) == patient));
        foreach (var o in candidates)
        {
            if (ScoreCode(o) is not { } code || o.Id is null || Point(o, code) is not { } point)
            {
                continue;
            }

            if (await episodes.OfAsync(o.Encounter, cancellationToken) != episode)
            {
                continue;
            }

            series.Add(point);
            observations[o.Id] = o;
        }

        var flags = RuleEvaluator.Flags(rules.Enabled, series);
        await ReconcileFlagsAsync(context, patient, episode, flags, observations, cancellationToken);
        if (rules.Set.Change is { } change)
        {
            var storedChanges = stored.Where(o => ScoreCode(o) == changeCode && SameEpisode(o, episode)).ToList();
            ReconcileChanges(context, patient, episode, change, RuleEvaluator.Changes(change, series), storedChanges, observations);
        }
    }

    /// <summary>
    /// A score a rule reads: one of the rules' score codes, and not an Observation the rules write themselves (a change
    /// score carries the rules' identifier), so a client writing one back does not set the rules off.
    /// </summary>
    private bool IsScore(Observation observation, IReadOnlySet<string> codes) =>
        ScoreCode(observation) is { } code && codes.Contains(code) && code != rules.Set.Change?.Code
        && !observation.Identifier.Any(i => i.System == MonitoringUrls.ChangeIdentifierSystem);

    /// <summary>A local patient reference; anything else (another server's patient, a malformed id) names no series here.</summary>
    private static string? PatientOf(Observation observation) =>
        observation.Subject?.Reference is { } subject && subject.StartsWith("Patient/", StringComparison.Ordinal)
        && FhirId.IsValid(subject["Patient/".Length..]) ? subject : null;

    private async System.Threading.Tasks.Task ReconcileFlagsAsync(
        ResourceWriteContext context,
        string patient,
        string? episode,
        IReadOnlyList<FlagOutcome> outcomes,
        Dictionary<string, Observation> observations,
        CancellationToken cancellationToken)
    {
        var stored = (await context.Reader.SearchAsync("Flag", [new("patient", patient), new("identifier", $"{MonitoringUrls.FlagIdentifierSystem}|")], cancellationToken))
            .OfType<Flag>()
            .Where(f => SameEpisode(f, episode))
            .Where(f => f.Identifier.Any(i => i.System == MonitoringUrls.FlagIdentifierSystem && i.Value is not null))
            .GroupBy(f => f.Identifier.First(i => i.System == MonitoringUrls.FlagIdentifierSystem && i.Value is not null).Value!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var outcome in outcomes)
        {
            var key = $"{outcome.Rule.Id}/{episode ?? patient}/{outcome.Causes[^1].ObservationId}";
            wanted.Add(key);
            var flag = FlagFactory.Build(outcome, key, patient, episode, rules.Set.Version, observations);
            if (stored.TryGetValue(key, out var existing))
            {
                flag.Id = existing.Id;
                if (Same(flag, existing))
                {
                    continue;
                }
            }
            else
            {
                flag.Id = FhirId.New();
                context.AddDependentCreate(flag);
                continue;
            }

            context.AddDependentWrite(flag);
        }

        foreach (var (key, flag) in stored)
        {
            if (!wanted.Contains(key) && flag.Status != Flag.FlagStatus.EnteredInError)
            {
                var withdrawn = (Flag)flag.DeepCopy();
                withdrawn.Status = Flag.FlagStatus.EnteredInError;
                context.AddDependentWrite(withdrawn);
            }
        }
    }

    private static void ReconcileChanges(
        ResourceWriteContext context,
        string patient,
        string? episode,
        ChangeScoreDefinition definition,
        IReadOnlyList<ChangeOutcome> outcomes,
        List<Observation> stored,
        Dictionary<string, Observation> observations)
    {
        var byKey = stored.Where(o => o.Identifier.Any(i => i.System == MonitoringUrls.ChangeIdentifierSystem && i.Value is not null))
            .GroupBy(o => o.Identifier.First(i => i.System == MonitoringUrls.ChangeIdentifierSystem && i.Value is not null).Value!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var outcome in outcomes)
        {
            var key = outcome.Current.ObservationId;
            wanted.Add(key);
            var change = FlagFactory.ChangeObservation(definition, outcome, key, patient, episode, observations[outcome.Current.ObservationId]);
            if (byKey.TryGetValue(key, out var existing))
            {
                change.Id = existing.Id;
                change.Status = existing.Status;
                if (Same(change, existing))
                {
                    continue;
                }

                change.Status = ObservationStatus.Amended;
            }
            else
            {
                change.Id = FhirId.New();
                context.AddDependentCreate(change);
                continue;
            }

            context.AddDependentWrite(change);
        }

        foreach (var (key, observation) in byKey)
        {
            if (!wanted.Contains(key))
            {
                var withdrawn = (Observation)observation.DeepCopy();
                withdrawn.Status = ObservationStatus.EnteredInError;
                context.AddDependentWrite(withdrawn);
            }
        }
    }

    internal static string? ScoreCode(Observation observation) =>
        observation.Code?.Coding.FirstOrDefault(c => c.System == ExtensionUrls.AllianceScoreSystem)?.Code;

    private static ScorePoint? Point(Observation o, string code)
    {
        if (o.Id is null)
        {
            return null;
        }

        var value = o.Value switch
        {
            Quantity { Value: { } q } => q,
            Integer { Value: { } i } => i,
            FhirDecimal { Value: { } d } => d,
            _ => (decimal?)null,
        };
        var effective = o.Effective switch
        {
            FhirDateTime dateTime when dateTime.TryToDateTimeOffset(out var at) => at,
            Instant { Value: { } instant } => instant,
            _ => (DateTimeOffset?)null,
        };
        if (value is null || effective is null)
        {
            return null;
        }

        // A session is the response a score was derived from; scores a client wrote directly for the same time (the
        // lines and total of one sitting) are one session too, so a rule over several lines sees them together.
        var session = o.DerivedFrom.FirstOrDefault(r => r.Reference?.StartsWith("QuestionnaireResponse/", StringComparison.Ordinal) == true)?.Reference
            ?? $"effective/{effective.Value.UtcDateTime:O}";
        return new ScorePoint(o.Id, code, value.Value, effective.Value, session, o.ReferenceRange.FirstOrDefault()?.Low?.Value);
    }

    private static bool SameEpisode(IExtendable resource, string? episode) =>
        (resource.GetExtension(MonitoringUrls.MonitoringRule)?.GetExtension("episode")?.Value as ResourceReference)?.Reference == episode;

    private static bool Same(Resource built, Resource stored)
    {
        var a = built.DeepCopy();
        var b = stored.DeepCopy();
        a.Meta = null;
        b.Meta = null;
        return a.IsExactly(b);
    }
}
