using System.Text.Json.Serialization;

namespace AllianceFhir.Instruments.Catalog;

/// <summary>
/// One text-pack file: the licensed wording of one instrument version in one language, supplied by a deployer.
/// <c>items</c> is keyed by linkId; <c>answers</c> by the answer code of the item's answerOption.
/// </summary>
public sealed record TextPack
{
    [JsonPropertyName("questionnaire")]
    public string? Questionnaire { get; init; }

    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("language")]
    public string? Language { get; init; }

    [JsonPropertyName("title")]
    public string? Title { get; init; }

    [JsonPropertyName("items")]
    public Dictionary<string, TextPackItem>? Items { get; init; }
}

public sealed record TextPackItem
{
    [JsonPropertyName("text")]
    public string? Text { get; init; }

    [JsonPropertyName("answers")]
    public Dictionary<string, string>? Answers { get; init; }
}
