using AllianceFhir.Core.Pipeline;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// The episode a score belongs to: the first <c>Encounter.episodeOfCare</c> of its encounter, or null (the patient's
/// default episode) when there is no encounter or it names no episode. Encounters are read once per evaluation.
/// </summary>
internal sealed class EpisodeResolver(IResourceReader reader)
{
    private readonly Dictionary<string, string?> _byEncounter = new(StringComparer.Ordinal);

    public async Task<string?> OfAsync(ResourceReference? encounter, CancellationToken cancellationToken)
    {
        if (encounter?.Reference is not { } reference || !reference.StartsWith("Encounter/", StringComparison.Ordinal))
        {
            return null;
        }

        if (!_byEncounter.TryGetValue(reference, out var episode))
        {
            var found = await reader.ReadAsync("Encounter", reference["Encounter/".Length..], cancellationToken) as Encounter;
            episode = found?.EpisodeOfCare.FirstOrDefault()?.Reference;
            _byEncounter[reference] = episode;
        }

        return episode;
    }
}
