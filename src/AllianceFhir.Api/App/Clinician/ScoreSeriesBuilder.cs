using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Resolution;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.App.Clinician;

/// <summary>
/// Groups a patient's stored score Observations into trends: per instrument (the Questionnaire the Observation names in
/// <c>workflow-instantiatesCanonical</c>), per score code, oldest first. Cut-offs come from that Questionnaire's
/// score-interpretation bands (the same data that set the Observation's interpretation), so the line drawn is the one
/// the server scored against. A flag marks a point when it refers to the point's Observation in any extension.
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
                        [.. flagsByObservation[o.Id!]]))],
                    CutOffsOf(questionnaire, g.Key!)))
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

    /// <summary>The band boundaries of the score item carrying this code: where the interpretation changes.</summary>
    private static IReadOnlyList<CutOff> CutOffsOf(Questionnaire? questionnaire, string code)
    {
        var item = questionnaire is null ? null : ItemTree.Flatten(questionnaire.Item)
            .FirstOrDefault(i => i.Code.Any(c => c.System == ExtensionUrls.AllianceScoreSystem && c.Code == code));
        if (item is null)
        {
            return [];
        }

        var bands = item.GetExtensions(ExtensionUrls.ScoreInterpretation)
            .Select(b => (Min: Number(b.GetExtension("min")?.Value), Max: Number(b.GetExtension("maxExclusive")?.Value), Text: (b.GetExtension("text")?.Value as FhirString)?.Value))
            .ToList();
        return [.. bands
            .Where(b => b.Max is not null)
            .Select(b => new CutOff(b.Max!.Value, b.Text ?? "below the cut-off"))
            .DistinctBy(c => c.Value)
            .OrderBy(c => c.Value)];
    }

    private static decimal? Number(DataType? value) => value switch
    {
        FhirDecimal d => d.Value,
        Integer i => i.Value,
        _ => null,
    };
}
