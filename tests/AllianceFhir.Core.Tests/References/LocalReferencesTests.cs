using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Tests.References;

public class LocalReferencesTests
{
    [Fact]
    public void Every_local_reference_is_found_with_the_path_of_its_element()
    {
        var response = new QuestionnaireResponse
        {
            Subject = new ResourceReference("Patient/p1"),
            Author = new ResourceReference("Practitioner/d1/_history/3"),
            BasedOn = [new ResourceReference("ServiceRequest/s1")],
            Item =
            [
                new QuestionnaireResponse.ItemComponent
                {
                    LinkId = "1",
                    Answer = [new QuestionnaireResponse.AnswerComponent { Value = new ResourceReference("Organization/o1") }],
                },
            ],
            Contained = [new Practitioner { Id = "c1", Extension = [new Extension("http://example.org/x", new ResourceReference("Organization/o2"))] }],
        };

        var found = LocalReferences.Of(response).Select(r => (r.Path, r.ResourceType, r.Id, r.Version)).ToList();

        Assert.Equal(
            [
                ("QuestionnaireResponse.contained[0].extension[0].value", "Organization", "o2", null),
                ("QuestionnaireResponse.basedOn[0]", "ServiceRequest", "s1", null),
                ("QuestionnaireResponse.subject", "Patient", "p1", null),
                ("QuestionnaireResponse.author", "Practitioner", "d1", "3"),
                ("QuestionnaireResponse.item[0].answer[0].value", "Organization", "o1", null),
            ],
            found.OrderBy(f => Order(f.Path)).ToList());
    }

    [Fact]
    public void References_in_extensions_of_primitive_elements_are_found()
    {
        // The walk skips primitives without extensions; one with an extension can still hold a reference.
        var patient = new Patient
        {
            BirthDateElement = new Date("1970-01-01") { Extension = [new Extension("http://example.org/x", new ResourceReference("Organization/o3"))] },
            Name =
            [
                new HumanName
                {
                    GivenElement =
                    [
                        new FhirString("A"),
                        new FhirString("B") { Extension = [new Extension("http://example.org/y", new ResourceReference("Practitioner/d4"))] },
                    ],
                },
            ],
            Active = true,
        };

        var found = LocalReferences.Of(patient).Select(r => (r.Path, r.ResourceType, r.Id)).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();

        Assert.Equal(
            [
                ("Patient.birthDate.extension[0].value", "Organization", "o3"),
                ("Patient.name[0].given[1].extension[0].value", "Practitioner", "d4"),
            ],
            found);
    }

    private static int Order(string path) => path switch
    {
        _ when path.Contains("contained", StringComparison.Ordinal) => 0,
        _ when path.Contains("basedOn", StringComparison.Ordinal) => 1,
        _ when path.EndsWith("subject", StringComparison.Ordinal) => 2,
        _ when path.EndsWith("author", StringComparison.Ordinal) => 3,
        _ => 4,
    };

    [Theory]
    [InlineData("http://other.example.org/fhir/Patient/1")]
    [InlineData("urn:uuid:6b2f0f7e-5a1c-4c3e-9d4b-1f2e3d4c5b6a")]
    [InlineData("#contained")]
    [InlineData("Patient?identifier=http://x|1")]
    [InlineData("NotAType/1")]
    [InlineData("Patient/")]
    [InlineData("Patient/1/_history/")]
    [InlineData("Patient/1/history/2")]
    public void References_that_are_not_local_are_left_out(string reference)
    {
        var observation = new Observation { Subject = new ResourceReference(reference) };

        Assert.Empty(LocalReferences.Of(observation));
    }

    [Fact]
    public void Logical_references_and_canonicals_are_not_local_references()
    {
        var response = new QuestionnaireResponse
        {
            Questionnaire = "http://alliancefhir.org/fhir/Questionnaire/srs|1.0.0",
            Subject = new ResourceReference { Identifier = new Identifier("http://clinic.example.org/mrn", "1") },
        };

        Assert.Empty(LocalReferences.Of(response));
    }

    [Theory]
    [InlineData("Patient/p/_history/2", 2)]
    [InlineData("Patient/p/_history/0", null)]
    [InlineData("Patient/p/_history/x", null)]
    [InlineData("Patient/p", null)]
    public void The_version_of_a_versioned_reference_is_read_as_a_number(string reference, int? expected)
    {
        Assert.True(LocalReference.TryParse(reference, "Observation.subject", out var local));
        Assert.Equal(expected, local.VersionId);
    }

    [Fact]
    public void References_the_search_index_misses_are_added_under_the_reserved_name()
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept("http://loinc.org", "1-8"),
            Subject = new ResourceReference("Patient/p1"),
            Extension = [new Extension("http://example.org/x", new ResourceReference("Practitioner/d1/_history/2"))],
        };
        var index = new SearchIndexer(new SearchParameterRegistry()).Extract(observation);

        var completed = UnindexedReferences.Complete(index, LocalReferences.Of(observation));

        var added = Assert.Single(completed.Except(index));
        Assert.Equal(new ReferenceIndexValue(UnindexedReferences.ParamName, "Practitioner", "d1", null, "2"), added);
    }
}
