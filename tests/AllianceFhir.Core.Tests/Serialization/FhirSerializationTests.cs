using AllianceFhir.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AllianceFhir.Core.Tests.Serialization;

public class FhirSerializationTests
{
    [Fact]
    public void Stored_json_is_the_text_the_firely_serializer_writes()
    {
        List<Resource> resources =
        [
            new Patient
            {
                Id = "p1",
                Meta = new Meta { VersionId = "3", LastUpdated = new DateTimeOffset(2026, 3, 2, 10, 0, 0, 123, TimeSpan.Zero) },
                Name = [new HumanName { Family = "Ånström-Ñúñez <&> \"quoted\" 'single' + plus", Given = ["Zoë", "李", "🙂"] }],
                Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a &amp; b</p></div>" },
                BirthDate = "1987-06-15",
            },
            new Observation
            {
                Id = "o1",
                Status = ObservationStatus.Final,
                Code = new CodeableConcept("http://loinc.org", "1-1", "Line\nbreak\ttab\\backslash"),
                Value = new Quantity { Value = 35.90m, Unit = "{score}", System = "http://unitsofmeasure.org", Code = "{score}" },
            },
            new QuestionnaireResponse
            {
                Id = "qr",
                Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
                Item = [.. Enumerable.Range(0, 5000).Select(i => new QuestionnaireResponse.ItemComponent { LinkId = $"item-{i}", Answer = [new() { Value = new FhirString(new string('x', 40)) }] })],
            },
        ];

        // Twice over, small after large: the per-thread buffer is reused or let go in between, and must never leak
        // one resource's bytes into the next.
        foreach (var resource in resources.Concat(resources))
        {
            Assert.Equal(FhirSerialization.JsonSerializer.SerializeToString(resource), FhirSerialization.ToStoredJson(resource));
        }
    }
}
