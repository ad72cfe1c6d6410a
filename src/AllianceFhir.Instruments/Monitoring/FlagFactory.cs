using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>Builds the Flag and change Observation resources in the shape docs/monitoring.md promises.</summary>
internal static class FlagFactory
{
    public static Flag Build(FlagOutcome outcome, string key, string patient, string? episode, string rulesVersion, IReadOnlyDictionary<string, Observation> observations)
    {
        var opening = outcome.Causes[^1];
        var flag = new Flag
        {
            Identifier = [new Identifier(MonitoringUrls.FlagIdentifierSystem, key)],
            Status = outcome.ResolvedBy is null ? Flag.FlagStatus.Active : Flag.FlagStatus.Inactive,
            Category = [new CodeableConcept(MonitoringUrls.FlagCategorySystem, "clinical", "Clinical")],
            Code = new CodeableConcept(MonitoringUrls.RuleSystem, outcome.Rule.Id, outcome.Rule.Title, outcome.Reason),
            Subject = new ResourceReference(patient),
            Encounter = observations.TryGetValue(opening.ObservationId, out var o) ? (ResourceReference?)o.Encounter?.DeepCopy() : null,
            Period = new Period(When(opening, observations), outcome.ResolvedBy is { } r ? When(r, observations) : null),
        };
        foreach (var cause in outcome.Causes)
        {
            flag.Extension.Add(new Extension(MonitoringUrls.FlagDetail, new ResourceReference($"Observation/{cause.ObservationId}")));
        }

        if (outcome.ResolvedBy is { } resolved)
        {
            flag.Extension.Add(new Extension(MonitoringUrls.FlagResolvedBy, new ResourceReference($"Observation/{resolved.ObservationId}")));
        }

        flag.Extension.Add(RuleExtension(outcome.Rule.Id, rulesVersion, outcome.Score, episode));
        return flag;
    }

    public static Observation ChangeObservation(
        ChangeScoreDefinition definition,
        ChangeOutcome outcome,
        string key,
        string patient,
        string? episode,
        Observation current)
    {
        var observation = new Observation
        {
            Identifier = [new Identifier(MonitoringUrls.ChangeIdentifierSystem, key)],
            Status = ObservationStatus.Final,
            Category = [new CodeableConcept(ExtensionUrls.ObservationCategorySystem, "survey", "Survey")],
            Code = new CodeableConcept(ExtensionUrls.AllianceScoreSystem, definition.Code, "ORS change since intake", "ORS change since intake"),
            Subject = new ResourceReference(patient),
            Encounter = (ResourceReference?)current.Encounter?.DeepCopy(),
            Effective = (DataType?)current.Effective?.DeepCopy(),
            Value = new Quantity { Value = outcome.Change, Unit = "{score}", System = ExtensionUrls.Ucum, Code = "{score}" },
            Interpretation = [new CodeableConcept(MonitoringUrls.ChangeCategorySystem, outcome.Category, Display(outcome.Category), Display(outcome.Category))],
            DerivedFrom = [new ResourceReference($"Observation/{outcome.Intake.ObservationId}"), new ResourceReference($"Observation/{outcome.Current.ObservationId}")],
        };
        observation.Extension.Add(RuleExtension(null, null, definition.Score, episode));
        return observation;
    }

    /// <summary>The score's own effective time as it was written, not re-rendered in another offset.</summary>
    private static FhirDateTime When(ScorePoint point, IReadOnlyDictionary<string, Observation> observations) =>
        observations.TryGetValue(point.ObservationId, out var o) && o.Effective is FhirDateTime at
            ? (FhirDateTime)at.DeepCopy()
            : new FhirDateTime(point.Effective);

    private static Extension RuleExtension(string? ruleId, string? rulesVersion, string score, string? episode)
    {
        var extension = new Extension { Url = MonitoringUrls.MonitoringRule };
        if (ruleId is not null)
        {
            extension.Extension.Add(new Extension("id", new Code(ruleId)));
        }

        if (rulesVersion is not null)
        {
            extension.Extension.Add(new Extension("rulesVersion", new FhirString(rulesVersion)));
        }

        extension.Extension.Add(new Extension("score", new Coding(ExtensionUrls.AllianceScoreSystem, score)));
        if (episode is not null)
        {
            extension.Extension.Add(new Extension("episode", new ResourceReference(episode)));
        }

        return extension;
    }

    private static string Display(string category) => category switch
    {
        "recovered" => "Recovered (reliable improvement across the clinical cut-off)",
        "improved" => "Improved (reliable improvement)",
        "deteriorated" => "Deteriorated (reliable worsening)",
        _ => "Unchanged (no reliable change)",
    };
}
