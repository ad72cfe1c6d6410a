using AllianceFhir.Instruments.Catalog;
using AllianceFhir.Instruments.Fhir;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Catalog;

/// <summary>Text packs with made-up wording (never the licensed instrument text).</summary>
public sealed class TextPackLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("alliance-textpacks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Primary_language_pack_replaces_placeholders_for_items_and_answers()
    {
        Write("trc-en.json", """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/trc-5", "version": "1.0.0", "language": "en",
              "items": { "1": { "text": "Made-up wording one", "answers": { "not-at-all": "Nope", "completely": "Totally" } } } }
            """);

        var trc = Load().Find("http://alliancefhir.org/fhir/Questionnaire/trc-5", "1.0.0")!;

        Assert.Equal("Made-up wording one", trc.Item[0].Text);
        Assert.Equal("Nope", ((Coding)trc.Item[0].AnswerOption[0].Value).Display);
        Assert.Equal("Totally", ((Coding)trc.Item[0].AnswerOption[4].Value).Display);
        Assert.Equal("TRC-5 item 2", trc.Item[1].Text);
        Assert.Equal("en", trc.Language);
    }

    [Fact]
    public void Second_language_becomes_the_translation_extension()
    {
        Write("a-en.json", """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/wai-sr", "version": "1.0.0", "language": "en",
              "items": { "3": { "text": "Invented English sentence" } } }
            """);
        Write("b-de.json", """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/wai-sr", "version": "1.0.0", "language": "de",
              "items": { "3": { "text": "Erfundener deutscher Satz", "answers": { "always": "Immer" } } } }
            """);

        var wai = Load().Find("http://alliancefhir.org/fhir/Questionnaire/wai-sr", "1.0.0")!;
        var item = wai.Item.Single(i => i.LinkId == "3");

        Assert.Equal("Invented English sentence", item.Text);
        var translation = Assert.Single(item.TextElement!.Extension, e => e.Url == ExtensionUrls.Translation);
        Assert.Equal("de", (translation.GetExtension("lang")!.Value as Code)!.Value);
        Assert.Equal("Erfundener deutscher Satz", (translation.GetExtension("content")!.Value as FhirString)!.Value);
        var always = (Coding)item.AnswerOption.Last().Value;
        Assert.Equal("Always", always.Display);
        Assert.Equal("Immer", (always.DisplayElement!.Extension.Single().GetExtension("content")!.Value as FhirString)!.Value);
    }

    [Fact]
    public void Unknown_link_id_fails_naming_file_and_item()
    {
        Write("bad.json", """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/srs", "version": "1.0.0", "language": "en",
              "items": { "99": { "text": "Invented" } } }
            """);

        var ex = Assert.Throws<TextPackException>(Load);

        Assert.Equal("bad.json", ex.File);
        Assert.Equal("99", ex.LinkId);
        Assert.Contains("bad.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'99'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_instrument_or_version_fails_naming_the_file()
    {
        Write("old.json", """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/srs", "version": "0.9.0", "language": "en", "items": {} }
            """);

        var ex = Assert.Throws<TextPackException>(Load);

        Assert.Equal("old.json", ex.File);
        Assert.Contains("srs|0.9.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_answer_code_fails_naming_the_item()
    {
        Write("codes.json", """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/haq-ii", "version": "1.0.0", "language": "en",
              "items": { "4": { "answers": { "maybe": "Invented" } } } }
            """);

        var ex = Assert.Throws<TextPackException>(Load);

        Assert.Equal("4", ex.LinkId);
        Assert.Contains("maybe", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_fails_naming_the_file()
    {
        Write("broken.json", "{ \"questionnaire\": ");
        Assert.Equal("broken.json", Assert.Throws<TextPackException>(Load).File);
    }

    [Fact]
    public void Second_pack_for_the_same_instrument_and_language_fails()
    {
        const string Pack = """{ "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/ors", "version": "1.0.0", "language": "fr", "items": {} }""";
        Write("a.json", Pack);
        Write("b.json", Pack);

        var ex = Assert.Throws<TextPackException>(Load);

        Assert.Equal("b.json", ex.File);
        Assert.Contains("a.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translated_title_and_a_translation_without_a_primary_pack_keep_the_placeholder_text()
    {
        Write("nl.json", """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/ors", "version": "1.0.0", "language": "nl",
              "title": "Verzonnen titel", "items": { "2": { "text": "Verzonnen zin" } } }
            """);

        var ors = Load().Find("http://alliancefhir.org/fhir/Questionnaire/ors", "1.0.0")!;

        Assert.Equal("ORS item 2", ors.Item[1].Text);
        Assert.Single(ors.Item[1].TextElement!.Extension);
        Assert.Equal("Outcome Rating Scale (ORS)", ors.Title);
        Assert.Equal("Verzonnen titel", (ors.TitleElement!.Extension.Single().GetExtension("content")!.Value as FhirString)!.Value);
    }

    [Fact]
    public void Missing_folder_fails_at_start()
    {
        var options = new InstrumentOptions { TextPacks = Path.Combine(_folder, "absent") };
        Assert.Throws<TextPackException>(() => new InstrumentCatalog(options));
    }

    private InstrumentCatalog Load() => new(new InstrumentOptions { TextPacks = _folder, Demo = true });

    private void Write(string name, string json) => File.WriteAllText(Path.Combine(_folder, name), json);
}
