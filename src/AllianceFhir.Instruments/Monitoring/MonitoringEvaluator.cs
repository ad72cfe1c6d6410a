using AllianceFhir.Core.Pipeline;
using AllianceFhir.Core.Resources;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// Runs the rules for one patient's episode after a response's scores change, inside that write: reads the episode's
/// score series through the write's reader (with this response's new scores in place of its stored ones), replays the
/// rules (<see cref="RuleEvaluator"/>) and brings the stored Flags and change Observations in line with the replay as
/// dependent writes, so they commit with the response or not at all.
/// </summary>
public sealed class MonitoringEvaluator(MonitoringRules rules)
{
    public async System.Threading.Tasks.Task EvaluateAsync(
        ResourceWriteContext context,
        QuestionnaireResponse response,
        string responseReference,
        IReadOnlyList<Observation> current,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(response);
        if (response.Subject?.Reference is not { } patient || !patient.StartsWith("Patient/", StringComparison.Ordinal))
        {
            return;
        }

        var codes = rules.ScoreCodes;
        if (codes.Count == 0)
        {
            return;
        }

        if (!current.Any(o => ScoreCode(o) is { } c && codes.Contains(c)) && context.Previous is null)
        {
            // Nothing this write scored is read by a rule, and it replaces nothing that was.
            return;
        }

        var reader = context.Reader;
        var episodes = new EpisodeResolver(reader);
        var episode = await episodes.OfAsync(response.Encounter, cancellationToken);
        var changeCode = rules.Set.Change?.Code;
        var searchCodes = string.Join(',', codes.Concat(changeCode is null ? [] : [changeCode]).Select(c => $"{ExtensionUrls.AllianceScoreSystem}|{c}"));
        var stored = (await reader.SearchAsync("Observation", [new("subject", patient), new("code", searchCodes)], cancellationToken))
            .OfType<Observation>()
            .Where(o => o.Status != ObservationStatus.EnteredInError)
            .ToList();

        var series = new List<ScorePoint>();
        var observations = new Dictionary<string, Observation>(StringComparer.Ordinal);
        foreach (var o in stored.Where(o => ScoreCode(o) != changeCode && !DerivedFrom(o, responseReference)).Concat(current))
        {
            if (ScoreCode(o) is not { } code || !codes.Contains(code) || o.Id is null || Point(o, code) is not { } point)
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
        var effective = (o.Effective as FhirDateTime)?.TryToDateTimeOffset(out var at) == true ? at : (DateTimeOffset?)null;
        if (value is null || effective is null)
        {
            return null;
        }

        var session = o.DerivedFrom.FirstOrDefault(r => r.Reference?.StartsWith("QuestionnaireResponse/", StringComparison.Ordinal) == true)?.Reference ?? $"Observation/{o.Id}";
        return new ScorePoint(o.Id, code, value.Value, effective.Value, session, o.ReferenceRange.FirstOrDefault()?.Low?.Value);
    }

    private static bool DerivedFrom(Observation o, string reference) => o.DerivedFrom.Any(r => r.Reference == reference);

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
