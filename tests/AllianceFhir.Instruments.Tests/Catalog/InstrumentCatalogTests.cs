using AllianceFhir.Instruments.Catalog;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Scoring;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Catalog;

public class InstrumentCatalogTests
{
    // With the demonstration instrument, so its file is checked as every other one.
    private static readonly InstrumentCatalog Catalog = new(new InstrumentOptions { Demo = true });

    [Fact]
    public void Ships_the_five_instruments_at_version_1_0_0()
    {
        var questionnaires = Catalog.GetQuestionnaires();
        Assert.Equal(["haq-ii", "ors", "srs", "trc-5", "wai-sr"], questionnaires.Select(q => q.Id).Order());
        Assert.All(questionnaires, q =>
        {
            Assert.Equal($"http://alliancefhir.org/fhir/Questionnaire/{q.Id}", q.Url);
            Assert.Equal("1.0.0", q.Version);
            // A demonstration instrument is a draft: never picked as "the newest active version" of its url.
            Assert.Equal(q.Experimental == true ? PublicationStatus.Draft : PublicationStatus.Active, q.Status);
            Assert.False(string.IsNullOrWhiteSpace(q.Name));
            Assert.False(string.IsNullOrWhiteSpace(q.Title));
            Assert.False(string.IsNullOrWhiteSpace(q.Publisher));
            Assert.False(string.IsNullOrWhiteSpace(q.Copyright));
            Assert.False(string.IsNullOrWhiteSpace(q.Description));
            Assert.NotEmpty(q.Code);
        });
    }

    [Fact]
    public void Without_the_demo_setting_the_demonstration_instrument_is_withheld()
    {
        var catalog = new InstrumentCatalog(new InstrumentOptions());

        Assert.Equal(["haq-ii", "ors", "srs", "wai-sr"], catalog.GetQuestionnaires().Select(q => q.Id).Order());
        Assert.Null(catalog.Find("http://alliancefhir.org/fhir/Questionnaire/trc-5", "1.0.0"));
        Assert.Equal(["trc-5"], catalog.Withheld);
        Assert.Empty(Catalog.Withheld);
        Assert.Equal(PublicationStatus.Draft, Catalog.Find("http://alliancefhir.org/fhir/Questionnaire/trc-5", "1.0.0")!.Status);
    }

    [Theory]
    [InlineData("wai-sr", 12, "wai-sr-total,wai-sr-task,wai-sr-goal,wai-sr-bond")]
    [InlineData("srs", 4, "srs-total")]
    [InlineData("ors", 4, "ors-total")]
    [InlineData("haq-ii", 19, "haq-ii-total")]
    [InlineData("trc-5", 5, "trc-5-total")]
    public void Items_are_numbered_and_placeholders_and_scores_are_calculated_and_extracted(string id, int count, string scores)
    {
        var questionnaire = Catalog.Find($"http://alliancefhir.org/fhir/Questionnaire/{id}", "1.0.0")!;
        var answered = questionnaire.Item.Where(i => i.ReadOnly != true).ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), answered.Select(i => i.LinkId));
        Assert.All(answered, i => Assert.Matches(@"^[A-Za-z0-9-]+ item \d+$", i.Text));
        Assert.All(answered, i => Assert.True(i.Required));

        var scoreItems = questionnaire.Item.Where(i => i.ReadOnly == true).ToList();
        Assert.Equal(scores.Split(','), scoreItems.Select(i => i.Code.First(c => c.System == ExtensionUrls.AllianceScoreSystem).Code));
        Assert.All(scoreItems, i =>
        {
            Assert.NotNull(ScoringEngine.CalculatedExpressionOf(i));
            Assert.Equal(true, (i.GetExtension(ExtensionUrls.ObservationExtract)?.Value as FhirBoolean)?.Value);
        });
    }

    [Fact]
    public void Choice_options_run_from_the_lowest_printed_anchor_and_carry_ordinal_values()
    {
        foreach (var questionnaire in Catalog.GetQuestionnaires())
        {
            foreach (var item in questionnaire.Item.Where(i => i.Type == Questionnaire.QuestionnaireItemType.Choice))
            {
                Assert.All(item.AnswerOption, o => Assert.IsType<FhirDecimal>(o.GetExtension(ExtensionUrls.OrdinalValue)?.Value));
            }
        }
    }

    [Fact]
    public void Alliance_score_code_system_defines_every_score_code_used()
    {
        var codeSystem = Catalog.GetCodeSystems().Single(c => c.Url == ExtensionUrls.AllianceScoreSystem);
        var defined = Flatten(codeSystem.Concept).Select(c => c.Code).ToHashSet();
        var used = Catalog.GetQuestionnaires()
            .SelectMany(q => q.Code.Concat(q.Item.SelectMany(i => i.Code)))
            .Where(c => c.System == ExtensionUrls.AllianceScoreSystem)
            .Select(c => c.Code);
        Assert.All(used, code => Assert.Contains(code, defined));
        Assert.Equal(defined.Count, codeSystem.Count);
    }

    [Fact]
    public void Returned_resources_are_copies()
    {
        var first = Catalog.GetQuestionnaires()[0];
        first.Title = "changed";
        Assert.NotEqual("changed", Catalog.GetQuestionnaires()[0].Title);
    }

    private static IEnumerable<CodeSystem.ConceptDefinitionComponent> Flatten(IEnumerable<CodeSystem.ConceptDefinitionComponent> concepts) =>
        concepts.SelectMany(c => new[] { c }.Concat(Flatten(c.Concept)));
}
