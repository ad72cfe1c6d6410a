using AllianceFhir.Core.Search;
using AllianceFhir.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Xunit.Abstractions;

namespace AllianceFhir.Core.Tests.Search;

/// <summary>
/// Plain-path parameters are navigated without the FHIRPath engine; the index rows must be exactly those the engine
/// gives, for every resource at hand: built-in rich resources, and the R4, SDC and form examples when present.
/// </summary>
public class PlainPathEquivalenceTests(ITestOutputHelper output)
{
    private static readonly SearchIndexer EngineOnly = new(SearchSetup.Registry, navigatePlainPaths: false);
    private static readonly FhirJsonDeserializer Deserializer = new();

    [Fact]
    public void Most_parameters_of_the_main_types_are_navigated_as_plain_paths()
    {
        foreach (var type in new[] { "Patient", "Observation", "QuestionnaireResponse", "Questionnaire" })
        {
            var plain = SearchSetup.Indexer.PlainPathParameters(type);
            var all = SearchSetup.Registry.For(type).Select(p => p.Name).ToList();
            output.WriteLine($"{type}: {plain.Count} of {all.Count} parameters navigated as plain paths; by the engine: {string.Join(", ", all.Except(plain))}");
            Assert.True(plain.Count * 2 > all.Count, $"{type}: only {plain.Count} of {all.Count}");
        }

        Assert.Contains("subject", SearchSetup.Indexer.PlainPathParameters("Observation"));
        Assert.Contains("_lastUpdated", SearchSetup.Indexer.PlainPathParameters("Observation")); // meta.lastUpdated
        Assert.Contains("patient", SearchSetup.Indexer.PlainPathParameters("Observation")); // subject.where(resolve() is Patient)
        Assert.Contains("value-date", SearchSetup.Indexer.PlainPathParameters("Observation")); // (value as dateTime) | (value as Period)
        Assert.Contains("value-string", SearchSetup.Indexer.PlainPathParameters("Observation")); // (value as string) | (value as CodeableConcept).text

        // A submit stores a QuestionnaireResponse, its score Observations and an AuditEvent: none of them needs the engine.
        foreach (var type in new[] { "Observation", "QuestionnaireResponse", "AuditEvent" })
        {
            Assert.Equal(SearchSetup.Registry.For(type).Select(p => p.Name).Order(), SearchSetup.Indexer.PlainPathParameters(type).Order());
        }

        // telecom.where(system='email') and deceased.exists() and deceased != false: a Patient create needs no engine.
        Assert.Contains("email", SearchSetup.Indexer.PlainPathParameters("Patient"));
        Assert.Contains("phone", SearchSetup.Indexer.PlainPathParameters("Patient"));
        Assert.Equal(SearchSetup.Registry.For("Patient").Select(p => p.Name).Order(), SearchSetup.Indexer.PlainPathParameters("Patient").Order());
    }

    [Fact]
    public void Built_in_resources_index_the_same_with_and_without_the_engine()
    {
        List<Resource> resources =
        [
            new Patient
            {
                Id = "p1",
                Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow, Profile = ["http://example.org/profile"], Tag = [new Coding("http://t", "x")] },
                Identifier = [new Identifier("http://mrn", "1"), new Identifier("http://ssn", "2") { Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "SS") }],
                Active = true,
                Name = [new HumanName { Family = "Ånström", Given = ["Alex", "Maria"], Prefix = ["Ms."] }, new HumanName { Text = "Alex A" }],
                Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Home, "+31 20 555"), new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "a@example.org")],
                Gender = AdministrativeGender.Female,
                BirthDate = "1987-06-15",
                Deceased = new FhirBoolean(false),
                Address = [new Address { Line = ["Prinsengracht 263"], City = "Amsterdam", PostalCode = "1016 GV", Country = "NL", Use = Address.AddressUse.Home }],
                GeneralPractitioner = [new ResourceReference("Practitioner/gp")],
                ManagingOrganization = new ResourceReference("http://example.org/fhir/Organization/o1"),
                Link = [new Patient.LinkComponent { Other = new ResourceReference("Patient/p0"), Type = Patient.LinkType.Seealso }],
                Communication = [new Patient.CommunicationComponent { Language = new CodeableConcept("urn:ietf:bcp:47", "nl") }],
            },
            new Observation
            {
                Id = "o1",
                Status = ObservationStatus.Final,
                Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "survey")],
                Code = new CodeableConcept { Coding = [new Coding("http://alliancefhir.org/fhir/CodeSystem/alliance-score", "srs-total"), new Coding("http://snomed.info/sct", "720482000")], Text = "SRS" },
                Subject = new ResourceReference("Patient/p1"),
                Encounter = new ResourceReference("Encounter/e1"),
                Effective = new Period { Start = "2026-03-02", End = "2026-03-03" },
                Performer = [new ResourceReference("Practitioner/t1")],
                Value = new Quantity { Value = 35.9m, Unit = "{score}", System = "http://unitsofmeasure.org", Code = "{score}" },
                DerivedFrom = [new ResourceReference("QuestionnaireResponse/q1")],
                Interpretation = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "L")],
                Component = [new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "1-1"), Value = new CodeableConcept("http://x", "y") }],
            },
            new Questionnaire
            {
                Id = "q1",
                Url = "http://example.org/Questionnaire/q1",
                Version = "1.0.0",
                Status = PublicationStatus.Active,
                Code = [new Coding("http://loinc.org", "1-1")],
                UseContext =
                [
                    new UsageContext { Code = new Coding("http://terminology.hl7.org/CodeSystem/usage-context-type", "age"), Value = new Quantity(18, "a") },
                    new UsageContext { Code = new Coding("http://terminology.hl7.org/CodeSystem/usage-context-type", "age"), Value = new Hl7.Fhir.Model.Range { Low = new Quantity(1, "a"), High = new Quantity(9, "a") } },
                    new UsageContext { Code = new Coding("http://terminology.hl7.org/CodeSystem/usage-context-type", "focus"), Value = new CodeableConcept("http://snomed.info/sct", "1") },
                ],
                Item = [new Questionnaire.ItemComponent { LinkId = "1", Type = Questionnaire.QuestionnaireItemType.Integer, Code = [new Coding("http://loinc.org", "2-2")] }],
            },
        ];
        // The reference-target filter (where(resolve() is X)) meets relative, absolute, other-type and empty references.
        string?[] references = ["Patient/p1", "http://example.org/fhir/Patient/p2", "Group/g1", "Patient", "PatientX/1", "urn:uuid:1", null];
        foreach (var reference in references)
        {
            var target = new ResourceReference(reference) { Display = "someone" };
            resources.Add(new QuestionnaireResponse { Id = "qr", Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed, Subject = target });
            resources.Add(new Observation { Id = "o2", Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "5-5"), Subject = (ResourceReference)target.DeepCopy() });
            resources.Add(new Encounter
            {
                Id = "e1",
                Status = Encounter.EncounterStatus.Finished,
                Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
                Subject = (ResourceReference)target.DeepCopy(),
                Participant = [new Encounter.ParticipantComponent { Individual = new ResourceReference("Practitioner/t1") }, new Encounter.ParticipantComponent { Individual = (ResourceReference)target.DeepCopy() }],
            });
            resources.Add(new AuditEvent
            {
                Id = "a1",
                Type = new Coding("http://dicom.nema.org/resources/ontology/DCM", "110110"),
                Recorded = DateTimeOffset.UtcNow,
                Agent = [new AuditEvent.AgentComponent { Who = (ResourceReference)target.DeepCopy(), Requestor = true }, new AuditEvent.AgentComponent { Who = new ResourceReference("Patient/p9"), Requestor = false }],
                Source = new AuditEvent.SourceComponent { Observer = new ResourceReference("Device/d1") },
                Entity = [new AuditEvent.EntityComponent { What = (ResourceReference)target.DeepCopy() }],
            });
        }

        resources.Add(new Patient { Id = "p3", Deceased = new FhirDateTime("2026-01-02") });
        resources.Add(new Patient { Id = "p6", Deceased = new FhirBoolean(null) { Extension = [new Extension("http://x", new FhirString("unknown"))] } });
        resources.Add(new Patient { Id = "p7", Deceased = new FhirBoolean(false) });
        resources.Add(new Patient { Id = "p8" });

        // The system filter of email and phone meets every kind of system: none, one without a value, other codes, repeats.
        ContactPoint[] telecoms =
        [
            new ContactPoint(ContactPoint.ContactPointSystem.Email, ContactPoint.ContactPointUse.Work, "w@example.org"),
            new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, "+31 6 1"),
            new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, "+31 6 2"),
            new ContactPoint(ContactPoint.ContactPointSystem.Fax, null, "+31 20 3"),
            new ContactPoint(ContactPoint.ContactPointSystem.Other, null, "email"),
            new ContactPoint { Value = "no system" },
            new ContactPoint { SystemElement = new Code<ContactPoint.ContactPointSystem> { Extension = [new Extension("http://x", new FhirString("e"))] }, Value = "system without a value" },
        ];
        resources.Add(new Patient
        {
            Id = "p5",
            Telecom = [.. telecoms.Select(t => (ContactPoint)t.DeepCopy())],
            Contact = [new Patient.ContactComponent { Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "c@example.org")] }],
        });
        resources.Add(new Practitioner { Id = "t1", Telecom = [.. telecoms.Select(t => (ContactPoint)t.DeepCopy())] });
        resources.Add(new PractitionerRole { Id = "r1", Telecom = [.. telecoms.Select(t => (ContactPoint)t.DeepCopy())] });
        resources.Add(new RelatedPerson { Id = "rp1", Patient = new ResourceReference("Patient/p1"), Telecom = [.. telecoms.Select(t => (ContactPoint)t.DeepCopy())] });
        resources.Add(new Organization { Id = "o1", Telecom = [.. telecoms.Select(t => (ContactPoint)t.DeepCopy())] });
        resources.Add(new Patient { Id = "p4", Deceased = new FhirBoolean(true) });

        DataType[] values =
        [
            new CodeableConcept("http://x", "y", "Y text"), new FhirString("s"), new FhirDateTime("2026-01-02"),
            new CodeableConcept { Text = "only text" }, new Markdown("m"), new Code("c"), new FhirUri("http://u"), new Date("2026-01-02"), new Instant(DateTimeOffset.UtcNow),
            new Period { Start = "2026-01-01" }, new SampledData { Origin = new Quantity(1, "mg"), Period = 1, Dimensions = 1 },
            new Quantity(2, "mg"), new FhirBoolean(true), new Integer(3), new Hl7.Fhir.Model.Range { Low = new Quantity(1, "mg") },
        ];
        foreach (var value in values)
        {
            // Every value[x] type, on the Observation and on a component, so each cast meets matching and other types.
            resources.Add(new Observation
            {
                Id = "v1",
                Status = ObservationStatus.Final,
                Code = new CodeableConcept("http://loinc.org", "3-3"),
                Value = value,
                Component = [new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "4-4"), Value = (DataType)value.DeepCopy() }],
            });
        }

        foreach (var resource in resources)
        {
            AssertSameRows(resource);
        }
    }

    [SkippableFact]
    public void Shared_examples_index_the_same_with_and_without_the_engine()
    {
        var folders = new[] { "r4-examples", "sdc", "forms" }.Select(ConformanceData.Require).ToList();

        var compared = 0;
        foreach (var file in folders
                     .SelectMany(folder => Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)))
        {
            foreach (var resource in ResourcesIn(file))
            {
                AssertSameRows(resource);
                compared++;
            }
        }

        output.WriteLine($"{compared} example resources index identically.");
        Assert.True(compared > 10, $"only {compared} example resources found under {string.Join(", ", folders)}");
    }

    private static IEnumerable<Resource> ResourcesIn(string file)
    {
        Resource? resource;
        try
        {
            resource = Deserializer.DeserializeResource(File.ReadAllText(file));
        }
        catch (DeserializationFailedException ex)
        {
            resource = ex.PartialResult as Resource;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            yield break; // not a resource (package.json, index.json, expected-scores.json …)
        }

        if (resource is null)
        {
            yield break;
        }

        if (SearchSetup.Registry.Supports(resource.TypeName))
        {
            yield return resource;
        }

        if (resource is Bundle bundle)
        {
            foreach (var entry in bundle.Entry.Where(e => e.Resource is not null && SearchSetup.Registry.Supports(e.Resource.TypeName)))
            {
                yield return entry.Resource!;
            }
        }
    }

    private static void AssertSameRows(Resource resource)
    {
        static string[] Rows(IReadOnlyList<SearchIndexValue> values) =>
            [.. values.Select(v => v is CompositeIndexValue c ? $"{c.ParamName}:{string.Join('|', c.Components)}" : v.ToString()!).Order(StringComparer.Ordinal)];

        Assert.Equal(Rows(EngineOnly.Extract(resource)), Rows(SearchSetup.Indexer.Extract(resource)));
    }
}
