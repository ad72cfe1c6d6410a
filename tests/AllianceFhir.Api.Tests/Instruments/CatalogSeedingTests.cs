using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Instruments;

public sealed class CatalogSeedingTests : IDisposable
{
    private readonly string _packs = Directory.CreateTempSubdirectory("alliancefhir-packs-").FullName;

    [Fact]
    public async Task Restarting_on_the_same_database_adds_no_versions()
    {
        string database;
        using (var first = new FhirApplication())
        {
            database = first.DatabasePath;
            using var read = await first.CreateClient().GetAsync("/fhir/Questionnaire/wai-sr");
            Assert.Equal("W/\"1\"", read.ETag());
            File.Copy(database, database + ".copy");
        }

        using var second = new FhirApplication().With("ConnectionStrings:Fhir", $"Data Source={database}.copy");
        using var again = await second.CreateClient().GetAsync("/fhir/Questionnaire/wai-sr");

        Assert.Equal("W/\"1\"", again.ETag());
    }

    [Fact]
    public async Task A_text_pack_puts_licensed_wording_and_translations_on_the_served_questionnaire()
    {
        await File.WriteAllTextAsync(Path.Combine(_packs, "trc-5-en.json"), """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/trc-5", "version": "1.0.0", "language": "en",
              "items": { "1": { "text": "Made-up wording for item one" } } }
            """);
        await File.WriteAllTextAsync(Path.Combine(_packs, "trc-5-nl.json"), """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/trc-5", "version": "1.0.0", "language": "nl",
              "items": { "1": { "text": "Verzonnen tekst voor vraag een" } } }
            """);
        using var app = new FhirApplication().With("Instruments:TextPacks", _packs);

        var questionnaire = await InstrumentResponses.FetchAsync(app.CreateClient(), "trc-5");

        var item = questionnaire.Item.Single(i => i.LinkId == "1");
        Assert.Equal("Made-up wording for item one", item.Text);
        var translation = Assert.Single(item.TextElement!.Extension, e => e.Url == "http://hl7.org/fhir/StructureDefinition/translation");
        Assert.Equal("Verzonnen tekst voor vraag een", translation.Extension.Single(e => e.Url == "content").Value?.ToString());
    }

    [Fact]
    public void A_text_pack_with_an_unknown_item_stops_the_start_naming_file_and_item()
    {
        File.WriteAllText(Path.Combine(_packs, "broken.json"), """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/trc-5", "version": "1.0.0", "language": "en",
              "items": { "99": { "text": "no such item" } } }
            """);
        using var app = new FhirApplication().With("Instruments:TextPacks", _packs);

        var error = Record.Exception(() => app.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("broken.json", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("99", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_packs, recursive: true);
}
