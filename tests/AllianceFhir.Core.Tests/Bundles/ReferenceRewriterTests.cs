using AllianceFhir.Core.Bundles;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Tests.Bundles;

public class ReferenceRewriterTests
{
    private const string PatientUrn = "urn:uuid:1b6f2e0c-7d3a-4c59-9e1f-2a8b7c6d5e4f";
    private const string ValueSetUrl = "http://example.org/fhir/ValueSet/answers";

    private static readonly Dictionary<string, string> Identities = new(StringComparer.Ordinal)
    {
        [PatientUrn] = "Patient/p1",
        [ValueSetUrl] = "ValueSet/vs1",
    };

    [Fact]
    public void References_are_rewritten_at_any_depth_and_in_contained_resources()
    {
        var contained = new Observation
        {
            Id = "inner",
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "1-8"),
            Subject = new ResourceReference(PatientUrn),
        };
        var report = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "1-8"),
            Subject = new ResourceReference(PatientUrn),
            Contained = [contained],
            HasMember = [new ResourceReference("#inner")],
            Component =
            [
                new Observation.ComponentComponent
                {
                    Code = new CodeableConcept("http://loinc.org", "2-6"),
                    Extension = [new Extension("http://example.org/about", new ResourceReference(PatientUrn))],
                },
            ],
        };

        var unresolved = ReferenceRewriter.Rewrite(report, Identities);

        Assert.Empty(unresolved);
        Assert.Equal("Patient/p1", report.Subject!.Reference);
        Assert.Equal("Patient/p1", ((ResourceReference)report.Component[0].Extension[0].Value!).Reference);
        Assert.Equal("Patient/p1", contained.Subject!.Reference);
        Assert.Equal("#inner", report.HasMember[0].Reference);
    }

    [Fact]
    public void Uris_and_canonicals_are_rewritten_only_for_urn_full_urls()
    {
        var questionnaire = new Questionnaire
        {
            Url = ValueSetUrl,
            Status = PublicationStatus.Active,
            DerivedFrom = [PatientUrn],
            Item = [new Questionnaire.ItemComponent { LinkId = "1", Type = Questionnaire.QuestionnaireItemType.Choice, AnswerValueSet = ValueSetUrl }],
        };

        ReferenceRewriter.Rewrite(questionnaire, Identities);

        Assert.Equal(ValueSetUrl, questionnaire.Url);
        Assert.Equal(ValueSetUrl, questionnaire.Item[0].AnswerValueSet);
        Assert.Equal("Patient/p1", questionnaire.DerivedFrom.Single());
    }

    [Fact]
    public void An_http_full_url_is_rewritten_in_a_reference()
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "1-8"),
            Focus = [new ResourceReference(ValueSetUrl)],
        };

        ReferenceRewriter.Rewrite(observation, Identities);

        Assert.Equal("ValueSet/vs1", observation.Focus[0].Reference);
    }

    [Fact]
    public void Urn_references_to_no_entry_are_reported_and_other_references_left_alone()
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "1-8"),
            Subject = new ResourceReference("urn:uuid:00000000-0000-4000-8000-000000000000"),
            Focus = [new ResourceReference("https://elsewhere.example.org/fhir/Patient/9"), new ResourceReference("Patient/7")],
        };

        var unresolved = ReferenceRewriter.Rewrite(observation, Identities);

        Assert.Equal(["urn:uuid:00000000-0000-4000-8000-000000000000"], unresolved);
        Assert.Equal("https://elsewhere.example.org/fhir/Patient/9", observation.Focus[0].Reference);
        Assert.Equal("Patient/7", observation.Focus[1].Reference);
    }

    [Fact]
    public void Narrative_links_to_urn_full_urls_are_rewritten()
    {
        var patient = new Patient
        {
            Text = new Narrative
            {
                Status = Narrative.NarrativeStatus.Generated,
                Div = $"<div xmlns=\"http://www.w3.org/1999/xhtml\"><a href=\"{PatientUrn}\">self</a> <a href=\"{ValueSetUrl}\">vs</a></div>",
            },
        };

        ReferenceRewriter.Rewrite(patient, Identities);

        Assert.Contains("href=\"Patient/p1\"", patient.Text.Div, StringComparison.Ordinal);
        Assert.Contains($"href=\"{ValueSetUrl}\"", patient.Text.Div, StringComparison.Ordinal);
    }
}
