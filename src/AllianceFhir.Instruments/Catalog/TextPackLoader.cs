using System.Text.Json;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Catalog;

/// <summary>
/// Reads every <c>*.json</c> text pack in a folder and applies it to the catalog Questionnaires. All checks run
/// before anything is applied, so a bad pack never leaves a half-worded instrument behind.
/// </summary>
public static class TextPackLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new() { ReadCommentHandling = JsonCommentHandling.Skip };

    public static IReadOnlyList<(string File, TextPack Pack)> ReadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new TextPackException(folder, null, "the configured Instruments:TextPacks folder does not exist");
        }

        var packs = new List<(string, TextPack)>();
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            TextPack? pack;
            try
            {
                pack = JsonSerializer.Deserialize<TextPack>(File.ReadAllText(file), JsonOptions);
            }
            catch (JsonException ex)
            {
                throw new TextPackException(name, null, $"not valid JSON ({ex.Message})", ex);
            }

            packs.Add((name, pack ?? throw new TextPackException(name, null, "empty file")));
        }

        return packs;
    }

    /// <summary>Checks every pack against its instrument, then writes texts and translations into the Questionnaires.</summary>
    public static void Apply(IReadOnlyList<Questionnaire> questionnaires, IReadOnlyList<(string File, TextPack Pack)> packs, string primaryLanguage)
    {
        var seen = new Dictionary<(string, string, string), string>();
        var resolved = new List<(string File, TextPack Pack, Questionnaire Questionnaire)>();
        foreach (var (file, pack) in packs)
        {
            if (string.IsNullOrWhiteSpace(pack.Questionnaire) || string.IsNullOrWhiteSpace(pack.Version) || string.IsNullOrWhiteSpace(pack.Language))
            {
                throw new TextPackException(file, null, "'questionnaire', 'version' and 'language' are required");
            }

            var questionnaire = questionnaires.FirstOrDefault(q => q.Url == pack.Questionnaire && q.Version == pack.Version)
                ?? throw new TextPackException(file, null, $"unknown instrument '{pack.Questionnaire}|{pack.Version}'");
            if (!seen.TryAdd((pack.Questionnaire, pack.Version, pack.Language), file))
            {
                throw new TextPackException(file, null, $"a second pack for {pack.Questionnaire}|{pack.Version} in '{pack.Language}' (first: '{seen[(pack.Questionnaire, pack.Version, pack.Language)]}')");
            }

            var index = Index(questionnaire.Item);
            foreach (var (linkId, texts) in pack.Items ?? [])
            {
                if (!index.TryGetValue(linkId, out var item))
                {
                    throw new TextPackException(file, linkId, $"no item with this linkId in {pack.Questionnaire}|{pack.Version}");
                }

                if (texts.Text is not null && string.IsNullOrWhiteSpace(texts.Text))
                {
                    throw new TextPackException(file, linkId, "empty text");
                }

                foreach (var (code, text) in texts.Answers ?? [])
                {
                    if (!item.AnswerOption.Any(o => o.Value is Coding c && c.Code == code))
                    {
                        throw new TextPackException(file, linkId, $"no answer option with code '{code}'");
                    }

                    if (string.IsNullOrWhiteSpace(text))
                    {
                        throw new TextPackException(file, linkId, $"empty text for answer '{code}'");
                    }
                }
            }

            resolved.Add((file, pack, questionnaire));
        }

        // Primary-language packs first, so translations always attach to the final text element.
        foreach (var (_, pack, questionnaire) in resolved.OrderBy(r => r.Pack.Language == primaryLanguage ? 0 : 1))
        {
            var primary = pack.Language == primaryLanguage;
            if (primary)
            {
                questionnaire.Language = primaryLanguage;
            }

            if (pack.Title is not null)
            {
                questionnaire.TitleElement ??= new FhirString(questionnaire.Title);
                SetText(questionnaire.TitleElement, pack.Title, pack.Language!, primary);
            }

            var index = Index(questionnaire.Item);
            foreach (var (linkId, texts) in pack.Items ?? [])
            {
                var item = index[linkId];
                if (texts.Text is not null)
                {
                    item.TextElement ??= new FhirString();
                    SetText(item.TextElement, texts.Text, pack.Language!, primary);
                }

                foreach (var (code, text) in texts.Answers ?? [])
                {
                    var coding = item.AnswerOption.Select(o => o.Value).OfType<Coding>().First(c => c.Code == code);
                    coding.DisplayElement ??= new FhirString();
                    SetText(coding.DisplayElement, text, pack.Language!, primary);
                }
            }
        }
    }

    private static void SetText(FhirString element, string text, string language, bool primary)
    {
        if (primary)
        {
            element.Value = text;
            return;
        }

        element.Extension.RemoveAll(e => e.Url == ExtensionUrls.Translation
            && (e.GetExtensionValue<Code>("lang")?.Value == language));
        var translation = new Extension { Url = ExtensionUrls.Translation };
        translation.AddExtension("lang", new Code(language));
        translation.AddExtension("content", new FhirString(text));
        element.Extension.Add(translation);
    }

    private static Dictionary<string, Questionnaire.ItemComponent> Index(IEnumerable<Questionnaire.ItemComponent> items)
    {
        var index = new Dictionary<string, Questionnaire.ItemComponent>(StringComparer.Ordinal);
        foreach (var item in ItemTree.Flatten(items))
        {
            if (item.LinkId is not null)
            {
                index.TryAdd(item.LinkId, item);
            }
        }

        return index;
    }
}
