namespace AllianceFhir.Instruments;

/// <summary>The <c>Instruments</c> configuration section.</summary>
public sealed class InstrumentOptions
{
    public const string SectionName = "Instruments";

    /// <summary>Folder of text-pack JSON files (licensed item wording); empty or absent means placeholders only.</summary>
    public string? TextPacks { get; set; }

    /// <summary>Language whose pack becomes <c>text</c>; packs in any other language become R4 <c>translation</c> extensions.</summary>
    public string PrimaryLanguage { get; set; } = "en";

    /// <summary>
    /// Loads and seeds the demonstration instruments (Questionnaires marked <c>experimental</c>, such as TRC-5): they are
    /// not validated instruments, so a clinic gets them only by asking (<c>Instruments__Demo=true</c>).
    /// </summary>
    public bool Demo { get; set; }
}
