using System.Collections.Concurrent;

namespace AllianceFhir.Instruments.Resolution;

/// <summary>
/// <c>url|version</c> → the id of the Questionnaire that answered it last time. Every submitted response names its
/// Questionnaire, and a search per submit cost more than reading that id again. Only version-pinned references are
/// remembered: for a bare url the newest active version can change with any new Questionnaire. Thread-safe; one per
/// application (the response processor owns it).
/// </summary>
public sealed class QuestionnairePins
{
    /// <summary>Bounded because the keys come from clients; past it the map simply starts over.</summary>
    private const int MaxEntries = 4096;

    private readonly ConcurrentDictionary<string, string> _ids = new(StringComparer.Ordinal);

    public string? IdOf(string reference) => _ids.GetValueOrDefault(reference);

    public void Remember(string reference, string id)
    {
        if (_ids.Count >= MaxEntries)
        {
            _ids.Clear();
        }

        _ids[reference] = id;
    }
}
