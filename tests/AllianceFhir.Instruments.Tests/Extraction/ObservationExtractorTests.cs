using AllianceFhir.Instruments.Extraction;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace AllianceFhir.Instruments.Tests.Extraction;

public class ObservationExtractorTests
{
    [Fact]
    public void Category_extension_replaces_survey_and_is_inherited_by_children()
    {
        var group = new Questionnaire.ItemComponent { LinkId = "g", Type = ItemType.Group, Item = [Coded("q")] };
        group.Extension.Add(new Extension(ExtensionUrls.ObservationExtractCategory, new CodeableConcept(ExtensionUrls.ObservationCategorySystem, "vital-signs")));
        var questionnaire = new Questionnaire { Status = PublicationStatus.Active, Item = [group] };
        questionnaire.Extension.Add(new Extension(ExtensionUrls.ObservationExtract, new FhirBoolean(true)));
        var response = new QuestionnaireResponse { Item = [new() { LinkId = "g", Item = [Responses.Answer("q", new Integer(3))] }] };

        var observation = Assert.Single(ObservationExtractor.Extract(questionnaire, response, null));

        Assert.Equal("vital-signs", observation.Category.Single().Coding.Single().Code);
    }

    [Fact]
    public void Only_codes_tagged_for_extraction_reach_the_observation()
    {
        var item = Coded("w");
        item.Code.Add(new Coding("http://loinc.org", "8350-1"));
        item.Code[1].Extension.Add(new Extension(ExtensionUrls.ObservationExtract, new FhirBoolean(true)));
        var questionnaire = new Questionnaire { Status = PublicationStatus.Active, Item = [item] };
        questionnaire.Extension.Add(new Extension(ExtensionUrls.ObservationExtract, new FhirBoolean(true)));
        var response = new QuestionnaireResponse { Item = [Responses.Answer("w", new Integer(70))] };

        var observation = Assert.Single(ObservationExtractor.Extract(questionnaire, response, null));

        var coding = Assert.Single(observation.Code!.Coding);
        Assert.Equal("8350-1", coding.Code);
        Assert.Empty(coding.Extension);
    }

    [Fact]
    public void Unit_makes_an_integer_a_quantity_and_each_answer_its_own_observation()
    {
        var item = Coded("n");
        item.Repeats = true;
        item.Extension.Add(new Extension("http://hl7.org/fhir/StructureDefinition/questionnaire-unit", new Coding(ExtensionUrls.Ucum, "kg", "kg")));
        var questionnaire = new Questionnaire { Status = PublicationStatus.Active, Item = [item] };
        questionnaire.Extension.Add(new Extension(ExtensionUrls.ObservationExtract, new FhirBoolean(true)));
        var response = new QuestionnaireResponse
        {
            BasedOn = [new ResourceReference("ServiceRequest/sr1")],
            Item = [Responses.Answer("n", new Integer(70), new Integer(71))],
        };

        var observations = ObservationExtractor.Extract(questionnaire, response, null);

        Assert.Equal([70m, 71m], observations.Select(o => ((Quantity)o.Value!).Value!.Value));
        Assert.All(observations, o => Assert.Equal("kg", ((Quantity)o.Value!).Code));
        Assert.All(observations, o => Assert.Equal("ServiceRequest/sr1", o.BasedOn.Single().Reference));
    }

    [Fact]
    public void Unanswered_items_and_items_without_codes_extract_nothing()
    {
        var questionnaire = new Questionnaire { Status = PublicationStatus.Active, Item = [Coded("a"), new() { LinkId = "b", Type = ItemType.Integer }] };
        questionnaire.Extension.Add(new Extension(ExtensionUrls.ObservationExtract, new FhirBoolean(true)));
        var response = new QuestionnaireResponse { Item = [new() { LinkId = "a" }, Responses.Answer("b", new Integer(1))] };

        Assert.Empty(ObservationExtractor.Extract(questionnaire, response, null));
    }

    private static Questionnaire.ItemComponent Coded(string linkId) => new()
    {
        LinkId = linkId,
        Type = ItemType.Integer,
        Code = [new Coding("http://example.org/codes", linkId)],
    };
}
