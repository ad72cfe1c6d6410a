using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Tests.Search;

public class SearchIndexerTests
{
    private const string Loinc = "http://loinc.org";
    private const string Ucum = "http://unitsofmeasure.org";

    private static List<T> Values<T>(Resource resource, string param)
        where T : SearchIndexValue =>
        SearchSetup.Indexer.Extract(resource).Where(v => v.ParamName == param).Cast<T>().ToList();

    private static DateTime Utc(string text) => DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture,
        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    private static Patient APatient() => new()
    {
        Id = "p1",
        Meta = new Meta
        {
            LastUpdated = new DateTimeOffset(2026, 3, 5, 10, 15, 30, TimeSpan.Zero),
            Tag = [new Coding("http://alliance.example/tags", "pilot")],
            Profile = ["http://alliance.example/StructureDefinition/patient"],
        },
        Active = true,
        Gender = AdministrativeGender.Female,
        BirthDate = "2020-03",
        Identifier = [new Identifier("http://hospital.example/mrn", "123")],
        Name = [new HumanName { Family = "Müller", Given = ["Ann", "Élise"], Text = "Ann Élise Müller" }],
        Telecom =
        [
            new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, "+41 44 000 00 00"),
            new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "ann@example.org"),
        ],
        Address = [new Address { Line = ["Bahnhofstrasse 1"], City = "Zürich", PostalCode = "8001", Country = "CH" }],
    };

    private static Observation AnObservation() => new()
    {
        Id = "o1",
        Status = ObservationStatus.Final,
        Code = new CodeableConcept
        {
            Coding = [new Coding(Loinc, "44261-6", "PHQ-9 total"), new Coding("http://alliance.example/codes", "phq9")],
            Text = "PHQ-9 Total Score",
        },
        Subject = new ResourceReference("Patient/p1"),
        Effective = new FhirDateTime("2026-03-05T10:00:00+02:00"),
        Value = new Quantity { Value = 100m, System = Ucum, Code = "{score}", Unit = "score" },
        DerivedFrom = [new ResourceReference("QuestionnaireResponse/qr1")],
        Component =
        [
            new Observation.ComponentComponent
            {
                Code = new CodeableConcept(Loinc, "8480-6"),
                Value = new Quantity { Value = 120.5m, System = Ucum, Code = "mm[Hg]" },
            },
        ],
    };

    private static QuestionnaireResponse AResponse() => new()
    {
        Id = "qr1",
        Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
        Questionnaire = "http://alliance.example/Questionnaire/wai-sr|1.0.0",
        Subject = new ResourceReference("Patient/p1"),
        Authored = "2026-03-05T09:00:00Z",
        Author = new ResourceReference("https://other.example/fhir/Practitioner/77"),
        Source = new ResourceReference { Identifier = new Identifier("http://hospital.example/mrn", "123") },
        Identifier = new Identifier("http://alliance.example/responses", "r-1"),
    };

    [Fact]
    public void Token_values_from_codings_identifiers_codes_booleans_and_contact_points()
    {
        var patient = APatient();

        Assert.Equal([new TokenIndexValue("identifier", "http://hospital.example/mrn", "123", null)], Values<TokenIndexValue>(patient, "identifier"));
        Assert.Equal([new TokenIndexValue("gender", null, "female", null)], Values<TokenIndexValue>(patient, "gender"));
        Assert.Equal([new TokenIndexValue("active", null, "true", null)], Values<TokenIndexValue>(patient, "active"));
        Assert.Equal([new TokenIndexValue("deceased", null, "false", null)], Values<TokenIndexValue>(patient, "deceased"));
        Assert.Equal([new TokenIndexValue("phone", "phone", "+41 44 000 00 00", null)], Values<TokenIndexValue>(patient, "phone"));
        Assert.Equal([new TokenIndexValue("email", "email", "ann@example.org", null)], Values<TokenIndexValue>(patient, "email"));
        Assert.Equal(2, Values<TokenIndexValue>(patient, "telecom").Count);
        Assert.Equal([new TokenIndexValue("_tag", "http://alliance.example/tags", "pilot", null)], Values<TokenIndexValue>(patient, "_tag"));
        Assert.Equal([new TokenIndexValue("_id", null, "p1", null)], Values<TokenIndexValue>(patient, "_id"));
    }

    [Fact]
    public void Codeable_concept_gives_one_token_per_coding_plus_its_text()
    {
        var code = Values<TokenIndexValue>(AnObservation(), "code");

        Assert.Equal(
            [
                new TokenIndexValue("code", Loinc, "44261-6", "phq-9 total"),
                new TokenIndexValue("code", "http://alliance.example/codes", "phq9", null),
                new TokenIndexValue("code", null, null, "phq-9 total score"),
            ],
            code);
    }

    [Fact]
    public void String_values_are_each_name_and_address_part_normalized()
    {
        var patient = APatient();

        var name = Values<StringIndexValue>(patient, "name");
        Assert.Contains(new StringIndexValue("name", "muller", "Müller"), name);
        Assert.Contains(new StringIndexValue("name", "elise", "Élise"), name);
        Assert.Contains(new StringIndexValue("name", "ann elise muller", "Ann Élise Müller"), name);
        Assert.Equal(["muller"], Values<StringIndexValue>(patient, "family").Select(v => v.Normalized));
        Assert.Equal(["ann", "elise"], Values<StringIndexValue>(patient, "given").Select(v => v.Normalized));
        Assert.Equal(["zurich"], Values<StringIndexValue>(patient, "address-city").Select(v => v.Normalized));
        Assert.Equal(
            ["bahnhofstrasse 1", "zurich", "8001", "ch"],
            Values<StringIndexValue>(patient, "address").Select(v => v.Normalized));
    }

    [Fact]
    public void Dates_become_utc_ranges_by_precision()
    {
        Assert.Equal(
            [new DateIndexValue("birthdate", Utc("2020-03-01T00:00:00Z"), Utc("2020-03-31T23:59:59.9999999Z"))],
            Values<DateIndexValue>(APatient(), "birthdate"));
        Assert.Equal(
            [new DateIndexValue("date", Utc("2026-03-05T08:00:00Z"), Utc("2026-03-05T08:00:00.9999999Z"))],
            Values<DateIndexValue>(AnObservation(), "date"));
        Assert.Equal(
            [new DateIndexValue("_lastUpdated", Utc("2026-03-05T10:15:30Z"), Utc("2026-03-05T10:15:30.9999999Z"))],
            Values<DateIndexValue>(APatient(), "_lastUpdated"));
    }

    [Fact]
    public void A_period_with_an_open_end_is_unbounded_on_that_side()
    {
        var questionnaire = new Questionnaire { EffectivePeriod = new Period { Start = "2026-01" } };

        var effective = Assert.Single(Values<DateIndexValue>(questionnaire, "effective"));
        Assert.Equal(Utc("2026-01-01T00:00:00Z"), effective.Start);
        Assert.Equal(DateTime.MaxValue, effective.End);
    }

    [Fact]
    public void References_keep_type_and_id_or_the_absolute_url()
    {
        var response = AResponse();

        Assert.Equal([new ReferenceIndexValue("subject", "Patient", "p1", null, null)], Values<ReferenceIndexValue>(response, "subject"));
        Assert.Equal(
            [new ReferenceIndexValue("author", null, null, "https://other.example/fhir/Practitioner/77", null)],
            Values<ReferenceIndexValue>(response, "author"));
    }

    [Fact]
    public void Canonical_reference_splits_the_version()
    {
        Assert.Equal(
            [new ReferenceIndexValue("questionnaire", null, null, "http://alliance.example/Questionnaire/wai-sr", "1.0.0")],
            Values<ReferenceIndexValue>(AResponse(), "questionnaire"));
    }

    [Fact]
    public void Resolve_is_patient_indexes_only_references_to_patients()
    {
        var toPatient = AResponse();
        var toGroup = AResponse();
        toGroup.Subject = new ResourceReference("Group/g1");
        var absolute = AResponse();
        absolute.Subject = new ResourceReference("http://other.example/fhir/Patient/9");

        Assert.Equal([new ReferenceIndexValue("patient", "Patient", "p1", null, null)], Values<ReferenceIndexValue>(toPatient, "patient"));
        Assert.Empty(Values<SearchIndexValue>(toGroup, "patient"));
        Assert.Single(Values<ReferenceIndexValue>(absolute, "patient"));
    }

    [Fact]
    public void Reference_identifier_is_indexed_as_a_token_under_the_reference_parameter()
    {
        Assert.Equal(
            [new TokenIndexValue("source", "http://hospital.example/mrn", "123", null)],
            Values<SearchIndexValue>(AResponse(), "source"));
    }

    [Fact]
    public void Contained_references_are_not_indexed()
    {
        var response = AResponse();
        response.Subject = new ResourceReference("#patsub");

        Assert.Empty(Values<SearchIndexValue>(response, "subject"));
    }

    [Fact]
    public void Uri_values_split_a_canonical_version()
    {
        var questionnaire = new Questionnaire { Url = "http://alliance.example/Questionnaire/srs", Version = "2.1" };
        var valueSet = new ValueSet { Compose = new ValueSet.ComposeComponent { Include = [new ValueSet.ConceptSetComponent { System = Loinc }] } };
        var patient = APatient();

        Assert.Equal([new UriIndexValue("url", "http://alliance.example/Questionnaire/srs", null)], Values<UriIndexValue>(questionnaire, "url"));
        Assert.Equal([new TokenIndexValue("version", null, "2.1", null)], Values<TokenIndexValue>(questionnaire, "version"));
        Assert.Equal([new UriIndexValue("reference", Loinc, null)], Values<UriIndexValue>(valueSet, "reference"));
        Assert.Equal(
            [new UriIndexValue("_profile", "http://alliance.example/StructureDefinition/patient", null)],
            Values<UriIndexValue>(patient, "_profile"));
    }

    [Fact]
    public void Quantity_keeps_unit_and_precision_range()
    {
        Assert.Equal(
            [new QuantityIndexValue("value-quantity", Ucum, "{score}", 100m, 99.5m, 100.5m)],
            Values<QuantityIndexValue>(AnObservation(), "value-quantity"));

        var encounter = new Encounter { Length = new Duration { Value = 30m, Unit = "min" } };
        Assert.Equal([new QuantityIndexValue("length", null, "min", 30m, 29.5m, 30.5m)], Values<QuantityIndexValue>(encounter, "length"));
    }

    [Fact]
    public void Composite_gives_one_value_per_combination_of_components()
    {
        var composites = Values<CompositeIndexValue>(AnObservation(), "code-value-quantity");

        Assert.Equal(2, composites.Count);
        Assert.All(composites, c => Assert.Equal(new QuantityIndexValue("value-quantity", Ucum, "{score}", 100m, 99.5m, 100.5m), c.Components[1]));
        Assert.Equal(
            [new TokenIndexValue("code", Loinc, "44261-6", "phq-9 total"), new TokenIndexValue("code", "http://alliance.example/codes", "phq9", null)],
            composites.Select(c => c.Components[0]));
    }

    [Fact]
    public void Composite_over_components_pairs_each_component_s_own_code_and_value()
    {
        var composite = Assert.Single(Values<CompositeIndexValue>(AnObservation(), "component-code-value-quantity"));

        Assert.Equal(new TokenIndexValue("component-code", Loinc, "8480-6", null), composite.Components[0]);
        Assert.Equal(new QuantityIndexValue("component-value-quantity", Ucum, "mm[Hg]", 120.5m, 120.45m, 120.55m), composite.Components[1]);
    }

    [Fact]
    public void Composite_without_a_value_for_every_component_gives_nothing()
    {
        var observation = AnObservation();
        observation.Value = new FhirString("moderate");

        Assert.Empty(Values<CompositeIndexValue>(observation, "code-value-quantity"));
        Assert.NotEmpty(Values<CompositeIndexValue>(observation, "code-value-string"));
    }

    [Fact]
    public void Number_values_carry_their_precision_range()
    {
        var values = new List<SearchIndexValue>();
        IndexValueConverter.Convert("n", SearchParamType.Number, new FhirDecimal(100m), values, ServiceBase.None);
        IndexValueConverter.Convert("n", SearchParamType.Number, new Integer(7), values, ServiceBase.None);

        Assert.Equal([new NumberIndexValue("n", 100m, 99.5m, 100.5m), new NumberIndexValue("n", 7m, 6.5m, 7.5m)], values);
    }

    [Fact]
    public void Identical_values_are_indexed_once()
    {
        var patient = APatient();
        patient.Identifier.Add(new Identifier("http://hospital.example/mrn", "123"));

        Assert.Single(Values<TokenIndexValue>(patient, "identifier"));
    }

    [Fact]
    public void Unsupported_type_gives_no_values()
    {
        Assert.Empty(SearchSetup.Indexer.Extract(new Medication { Id = "m1" }));
    }

    [Fact]
    public void Empty_patient_is_only_not_deceased()
    {
        // R4 defines deceased as "exists and not false", which is false (not absent) for an empty patient.
        Assert.Equal([new TokenIndexValue("deceased", null, "false", null)], SearchSetup.Indexer.Extract(new Patient()));
    }
}
