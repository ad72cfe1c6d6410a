namespace AllianceFhir.Instruments;

/// <summary>The <c>Instruments</c> configuration section.</summary>
public sealed class InstrumentOptions
{
    public const string SectionName = "Instruments";

    /// <summary>Folder of text-pack JSON files (licensed item wording); empty or absent means placeholders only.</summary>
    public string? TextPacks { get; set; }

    /// <summary>Language whose pack becomes <c>text</c>; packs in any other language become R4 <c>translation</c> extensions.</summary>
    public string PrimaryLanguage { get; set; } = "en";
}
