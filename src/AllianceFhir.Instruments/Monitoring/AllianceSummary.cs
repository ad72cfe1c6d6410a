using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// <c>Patient/{id}/$alliance-summary</c>: per instrument and score, the series with dates, the cut-off, the latest
/// interpretation, and the open Flags, as the Parameters shape of docs/monitoring.md. Pure: the caller reads (under
/// the caller's access rights) and passes the Observations and Flags in.
/// </summary>
public static class AllianceSummary
{
    public static Parameters Build(
        string patient,
        IEnumerable<Observation> observations,
        IEnumerable<Flag> flags,
        IEnumerable<Questionnaire> instruments,
        MonitoringRuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var result = new Parameters();
        result.Add("patient", new ResourceReference(patient));
        result.Add("rulesVersion", new FhirString(rules.Version));
        var known = instruments
            .Select(q => (Code: q.Code.FirstOrDefault(c => c.System == ExtensionUrls.AllianceScoreSystem)?.Code, q.Title))
            .Where(i => i.Code is not null)
            .GroupBy(i => i.Code!, StringComparer.Ordinal)
            .Select(g => (Code: g.Key, g.First().Title))
            .OrderByDescending(i => i.Code.Length)
            .ToList();

        var scored = observations
            .Where(o => o.Status is ObservationStatus.Final or ObservationStatus.Amended or ObservationStatus.Corrected)
            .Select(o => (Observation: o, Code: MonitoringEvaluator.ScoreCode(o)))
            .Where(x => x.Code is not null)
            .Select(x => (x.Observation, Code: x.Code!, Instrument: known.FirstOrDefault(i => x.Code!.StartsWith(i.Code + "-", StringComparison.Ordinal))))
            .Where(x => x.Instrument.Code is not null);
        foreach (var instrument in scored.GroupBy(x => x.Instrument).OrderBy(g => g.Key.Code, StringComparer.Ordinal))
        {
            var part = new Parameters.ParameterComponent { Name = "instrument" };
            part.Part.Add(new Parameters.ParameterComponent { Name = "code", Value = new Coding(ExtensionUrls.AllianceScoreSystem, instrument.Key.Code) });
            if (instrument.Key.Title is { } title)
            {
                part.Part.Add(new Parameters.ParameterComponent { Name = "title", Value = new FhirString(title) });
            }

            foreach (var score in instrument.GroupBy(x => x.Code, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                part.Part.Add(Score(score.Key, score.Select(x => x.Observation)));
            }

            result.Parameter.Add(part);
        }

        foreach (var flag in flags.Where(f => f.Status == Flag.FlagStatus.Active).OrderByDescending(f => f.Period?.Start, StringComparer.Ordinal))
        {
            result.Parameter.Add(new Parameters.ParameterComponent { Name = "flag", Resource = flag });
        }

        foreach (var rule in rules.Rules.Where(r => r.Enabled))
        {
            var part = new Parameters.ParameterComponent { Name = "rule" };
            part.Part.Add(new Parameters.ParameterComponent { Name = "id", Value = new Code(rule.Id) });
            part.Part.Add(new Parameters.ParameterComponent { Name = "title", Value = new FhirString(rule.Title) });
            part.Part.Add(new Parameters.ParameterComponent { Name = "description", Value = new FhirString(rule.Description) });
            result.Parameter.Add(part);
        }

        return result;
    }

    private static Parameters.ParameterComponent Score(string code, IEnumerable<Observation> observations)
    {
        var part = new Parameters.ParameterComponent { Name = "score" };
        part.Part.Add(new Parameters.ParameterComponent { Name = "code", Value = new Coding(ExtensionUrls.AllianceScoreSystem, code) });
        var ordered = observations.OrderBy(o => (o.Effective as FhirDateTime)?.TryToDateTimeOffset(out var at) == true ? at : DateTimeOffset.MinValue).ToList();
        var latest = ordered[^1];
        if (latest.ReferenceRange.FirstOrDefault() is { Low.Value: { } cutOff } range)
        {
            part.Part.Add(new Parameters.ParameterComponent { Name = "cutOff", Value = new FhirDecimal(cutOff) });
            if (range.Text is { } text)
            {
                part.Part.Add(new Parameters.ParameterComponent { Name = "cutOffText", Value = new FhirString(text) });
            }
        }

        if (latest.Interpretation.FirstOrDefault() is { } interpretation)
        {
            part.Part.Add(new Parameters.ParameterComponent { Name = "latestInterpretation", Value = (CodeableConcept)interpretation.DeepCopy() });
        }

        foreach (var o in ordered)
        {
            var value = o.Value switch
            {
                Quantity { Value: { } q } => q,
                Integer { Value: { } i } => i,
                _ => (decimal?)null,
            };
            if (value is null)
            {
                continue;
            }

            var point = new Parameters.ParameterComponent { Name = "point" };
            if (o.Effective is FhirDateTime at)
            {
                point.Part.Add(new Parameters.ParameterComponent { Name = "effective", Value = (FhirDateTime)at.DeepCopy() });
            }

            point.Part.Add(new Parameters.ParameterComponent { Name = "value", Value = new FhirDecimal(value) });
            point.Part.Add(new Parameters.ParameterComponent { Name = "observation", Value = new ResourceReference($"Observation/{o.Id}") });
            if (o.Interpretation.FirstOrDefault() is { } band)
            {
                point.Part.Add(new Parameters.ParameterComponent { Name = "interpretation", Value = (CodeableConcept)band.DeepCopy() });
            }

            if ((o.GetExtension(MonitoringUrls.MonitoringRule)?.GetExtension("episode")?.Value ?? null) is ResourceReference episode)
            {
                point.Part.Add(new Parameters.ParameterComponent { Name = "episode", Value = (ResourceReference)episode.DeepCopy() });
            }

            part.Part.Add(point);
        }

        return part;
    }
}
