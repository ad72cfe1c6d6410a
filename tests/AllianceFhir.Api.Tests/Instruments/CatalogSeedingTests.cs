using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Instruments;

public sealed class CatalogSeedingTests : IDisposable
{
    private readonly string _packs = Directory.CreateTempSubdirectory("alliancefhir-packs-").FullName;

    // Outside the first application's folder, which it deletes when it stops.
    private readonly string _copy = Path.Combine(Path.GetTempPath(), $"alliancefhir-copy-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Restarting_on_the_same_database_adds_no_versions()
    {
        using (var first = new FhirApplication())
        {
            var database = first.DatabasePath;
            using var read = await first.CreateClient().GetAsync("/fhir/Questionnaire/wai-sr");
            Assert.Equal("W/\"1\"", read.ETag());
            CopyDatabase(database, _copy);
        }

        using var second = new FhirApplication().With("ConnectionStrings:Fhir", $"Data Source={_copy}");
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
        using var app = new FhirApplication().With("Instruments:TextPacks", _packs).With("Instruments:Demo", "true");

        var questionnaire = await InstrumentResponses.FetchAsync(app.CreateClient(), "trc-5");

        var item = questionnaire.Item.Single(i => i.LinkId == "1");
        Assert.Equal("Made-up wording for item one", item.Text);
        var translation = Assert.Single(item.TextElement!.Extension, e => e.Url == "http://hl7.org/fhir/StructureDefinition/translation");
        Assert.Equal("Verzonnen tekst voor vraag een", translation.Extension.Single(e => e.Url == "content").Value?.ToString());
    }

    [Fact]
    public async Task A_restart_with_a_new_text_pack_upgrades_the_stored_catalog_although_the_api_cannot()
    {
        using (var first = new FhirApplication().With("Instruments:Demo", "true"))
        {
            var database = first.DatabasePath;
            using var read = await first.CreateClient().GetAsync("/fhir/Questionnaire/trc-5");
            Assert.Equal("W/\"1\"", read.ETag());
            CopyDatabase(database, _copy);
        }

        await File.WriteAllTextAsync(Path.Combine(_packs, "trc-5-en.json"), """
            { "questionnaire": "http://alliancefhir.org/fhir/Questionnaire/trc-5", "version": "1.0.0", "language": "en",
              "items": { "1": { "text": "Wording added by a later text pack" } } }
            """);
        using var second = new FhirApplication()
            .With("ConnectionStrings:Fhir", $"Data Source={_copy}")
            .With("Instruments:TextPacks", _packs)
            .With("Instruments:Demo", "true");
        using var again = await second.CreateClient().GetAsync("/fhir/Questionnaire/trc-5");

        Assert.Equal("W/\"2\"", again.ETag());
        Assert.Equal("Wording added by a later text pack", (await again.ReadAsAsync<Questionnaire>()).Item.Single(i => i.LinkId == "1").Text);
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

    /// <summary>
    /// A consistent copy of a live database, write-ahead log included (a plain file copy misses what the log still
    /// holds, and the next start would seed an empty database).
    /// </summary>
    private static void CopyDatabase(string from, string to)
    {
        using var source = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={from};Pooling=False");
        using var target = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={to};Pooling=False");
        source.Open();
        target.Open();
        source.BackupDatabase(target);
    }

    public void Dispose()
    {
        Directory.Delete(_packs, recursive: true);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _copy, _copy + "-wal", _copy + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }
}
