using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Extraction;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Resolution;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>
/// Groups a patient's stored score Observations into trends: per instrument (the Questionnaire the Observation names in
/// <c>workflow-instantiatesCanonical</c>), per score code, oldest first. Cut-off lines are the cut-offs the Observations
/// themselves were scored against (<c>referenceRange.low</c>: for ORS the band for the client's age on that day, so a
/// client who turned 18 shows both the adolescent and the adult line), named by that Questionnaire's band texts; a score
/// whose Observations carry no range falls back to the Questionnaire's bands for an unknown age. A flag marks a point
/// when it refers to the point's Observation in any extension.
/// </summary>
public static class ScoreSeriesBuilder
{
    public static async Task<IReadOnlyList<InstrumentScores>> BuildAsync(
        IReadOnlyList<Observation> observations,
        IReadOnlyList<Flag> flags,
        IResourceReader reader,
        CancellationToken ct)
    {
        var flagsByObservation = flags
            .SelectMany(f => FlagText.EvidenceOf(f).Select(o => (Observation: o, Flag: f)))
            .ToLookup(x => x.Observation, x => x.Flag, StringComparer.Ordinal);

        var instruments = new List<InstrumentScores>();
        foreach (var instrument in observations.GroupBy(CanonicalOf, StringComparer.Ordinal))
        {
            var questionnaire = instrument.Key is { } canonical
                ? await QuestionnaireResolver.TryResolveAsync(canonical, reader, ct)
                : null;
            var series = instrument
                .Where(o => ScoreCode(o) is not null && NumberOf(o) is not null)
                .GroupBy(o => ScoreCode(o)!.Code!, StringComparer.Ordinal)
                .Select(g => new ScoreSeries(
                    g.Key,
                    ScoreCode(g.First())!.Display ?? g.First().Code.Text ?? g.Key!,
                    [.. g.Select(o => new ScorePoint(
                        (o.Effective as FhirDateTime)?.TryToDateTimeOffset(out var when) == true ? when : null,
                        NumberOf(o)!.Value,
                        o.Id!,
                        InterpretationOf(o),
                        [.. flagsByObservation[o.Id!]],
                        CutOffOf(o)))],
                    CutOffsOf(questionnaire, g.Key!, [.. g])))
                .OrderBy(s => s.Code.EndsWith("-total", StringComparison.Ordinal) ? 0 : 1)
                .ThenBy(s => s.Code, StringComparer.Ordinal)
                .ToList();
            if (series.Count > 0)
            {
                instruments.Add(new InstrumentScores(questionnaire?.Title ?? instrument.Key ?? "Other scores", instrument.Key, series));
            }
        }

        return [.. instruments.OrderBy(i => i.Title, StringComparer.Ordinal)];
    }

    private static string? CanonicalOf(Observation observation) =>
        (observation.GetExtension(ExtensionUrls.WorkflowInstantiatesCanonical)?.Value as Canonical)?.Value;

    private static Coding? ScoreCode(Observation observation) =>
        observation.Code?.Coding.FirstOrDefault(c => c.System == ExtensionUrls.AllianceScoreSystem && c.Code is not null);

    private static decimal? NumberOf(Observation observation) => observation.Value switch
    {
        Quantity q => q.Value,
        Integer i => i.Value,
        FhirDecimal d => d.Value,
        _ => null,
    };

    private static string? InterpretationOf(Observation observation) =>
        observation.Interpretation.FirstOrDefault() is { } concept
            ? concept.Text ?? concept.Coding.FirstOrDefault()?.Display ?? concept.Coding.FirstOrDefault()?.Code
            : null;

    private static decimal? CutOffOf(Observation observation) => observation.ReferenceRange.FirstOrDefault()?.Low?.Value;

    /// <summary>The cut-offs the series was scored against, or (without any) the band boundaries for an unknown age.</summary>
    private static IReadOnlyList<CutOff> CutOffsOf(Questionnaire? questionnaire, string code, IReadOnlyList<Observation> observations)
    {
        var item = questionnaire is null ? null : ItemTree.Flatten(questionnaire.Item)
            .FirstOrDefault(i => i.Code.Any(c => c.System == ExtensionUrls.AllianceScoreSystem && c.Code == code));
        var bands = item is null ? [] : ScoreBands.Of(item);
        var scored = observations.Select(CutOffOf).OfType<decimal>().Distinct().ToList();
        if (scored.Count > 0)
        {
            return [.. scored.Order().Select(value => new CutOff(value, bands.FirstOrDefault(b => b.MaxExclusive == value)?.Text ?? "below the cut-off"))];
        }

        return [.. ScoreBands.Choose(bands, null).Bands
            .Where(b => b.MaxExclusive is not null)
            .Select(b => new CutOff(b.MaxExclusive!.Value, b.Text ?? "below the cut-off"))
            .DistinctBy(c => c.Value)
            .OrderBy(c => c.Value)];
    }
}
