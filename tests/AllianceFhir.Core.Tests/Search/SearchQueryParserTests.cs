using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Tests.Search;

public class SearchQueryParserTests
{
    private static SearchQuery Parse(string type, params (string Key, string Value)[] parameters) =>
        SearchSetup.Parser.Parse(type, parameters.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    private static ParameterCriterion Single(string type, string key, string value) =>
        Assert.IsType<ParameterCriterion>(Assert.Single(Parse(type, (key, value)).Criteria));

    private static FhirOperationException BadRequest(string type, string key, string value)
    {
        var ex = Assert.Throws<FhirOperationException>(() => Parse(type, (key, value)));
        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        return ex;
    }

    private static DateTime Utc(string text) => DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture,
        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    [Fact]
    public void Defaults_without_parameters()
    {
        var query = Parse("Patient");

        Assert.Equal("Patient", query.ResourceType);
        Assert.Empty(query.Criteria);
        Assert.Equal(20, query.Count);
        Assert.Equal(SummaryMode.False, query.Summary);
        Assert.Equal(TotalMode.Unspecified, query.Total);
        Assert.Empty(query.Ignored);
    }

    [Theory]
    [InlineData("code", null, "code")]
    [InlineData("http://loinc.org|44261-6", "http://loinc.org", "44261-6")]
    [InlineData("|44261-6", "", "44261-6")]
    [InlineData("http://loinc.org|", "http://loinc.org", null)]
    [InlineData(@"a\|b", null, "a|b")]
    public void Token_forms(string value, string? system, string? code)
    {
        var criterion = Single("Observation", "code", value);

        Assert.Equal(SearchModifier.None, criterion.Modifier);
        Assert.Equal([new TokenSearchValue(system, code)], criterion.Values);
    }

    [Fact]
    public void Commas_or_values_and_escaped_commas_do_not()
    {
        var criterion = Single("Patient", "family", @"smith,o\,brien");

        Assert.Equal([new StringSearchValue("smith", "smith"), new StringSearchValue("o,brien", "o,brien")], criterion.Values);
    }

    [Fact]
    public void Repeated_parameters_are_and_ed()
    {
        var query = Parse("Observation", ("date", "ge2026-01"), ("date", "lt2026-04"));

        Assert.Equal(2, query.Criteria.Count);
    }

    [Theory]
    [InlineData("code:not", SearchModifier.Not)]
    [InlineData("code:text", SearchModifier.Text)]
    public void Token_modifiers(string key, SearchModifier modifier)
    {
        Assert.Equal(modifier, Single("Observation", key, "x").Modifier);
    }

    [Fact]
    public void Token_text_value_is_a_normalized_string()
    {
        Assert.Equal([new StringSearchValue("Dépression", "depression")], Single("Observation", "code:text", "Dépression").Values);
    }

    [Theory]
    [InlineData("name", SearchModifier.None)]
    [InlineData("name:exact", SearchModifier.Exact)]
    [InlineData("name:contains", SearchModifier.Contains)]
    public void String_modifiers_with_normalized_value(string key, SearchModifier modifier)
    {
        var criterion = Single("Patient", key, "Müller");

        Assert.Equal(modifier, criterion.Modifier);
        Assert.Equal([new StringSearchValue("Müller", "muller")], criterion.Values);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Missing_takes_a_boolean(string value, bool missing)
    {
        var criterion = Single("Patient", "birthdate:missing", value);

        Assert.Equal(SearchModifier.Missing, criterion.Modifier);
        Assert.Equal([new MissingSearchValue(missing)], criterion.Values);
    }

    [Fact]
    public void Missing_with_a_non_boolean_is_a_bad_request()
    {
        Assert.Contains("true or false", BadRequest("Patient", "birthdate:missing", "yes").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-03", SearchPrefix.Eq, "2026-03-01T00:00:00Z", "2026-03-31T23:59:59.9999999Z")]
    [InlineData("ge2026-03-05", SearchPrefix.Ge, "2026-03-05T00:00:00Z", "2026-03-05T23:59:59.9999999Z")]
    [InlineData("lt2026", SearchPrefix.Lt, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.9999999Z")]
    [InlineData("sa2026-03-05T10:00:00+01:00", SearchPrefix.Sa, "2026-03-05T09:00:00Z", "2026-03-05T09:00:00.9999999Z")]
    [InlineData("ne2026", SearchPrefix.Ne, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.9999999Z")]
    [InlineData("eb2026", SearchPrefix.Eb, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.9999999Z")]
    [InlineData("ap2026", SearchPrefix.Ap, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.9999999Z")]
    [InlineData("gt2026", SearchPrefix.Gt, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.9999999Z")]
    [InlineData("le2026", SearchPrefix.Le, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.9999999Z")]
    [InlineData("eq2026", SearchPrefix.Eq, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59.9999999Z")]
    public void Date_prefix_and_precision_range(string value, SearchPrefix prefix, string start, string end)
    {
        Assert.Equal([new DateSearchValue(prefix, Utc(start), Utc(end))], Single("QuestionnaireResponse", "authored", value).Values);
    }

    [Fact]
    public void Bad_date_is_a_bad_request_naming_parameter_and_value()
    {
        var ex = BadRequest("QuestionnaireResponse", "authored", "2026-02-30");

        Assert.Contains("'authored'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'2026-02-30'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_prefix_is_a_bad_request()
    {
        Assert.Contains("unknown prefix 'xx'", BadRequest("QuestionnaireResponse", "authored", "xx2026").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantity_with_and_without_units()
    {
        Assert.Equal(
            [new QuantitySearchValue(SearchPrefix.Gt, 5.4m, 5.35m, 5.45m, "http://unitsofmeasure.org", "mg")],
            Single("Observation", "value-quantity", "gt5.4|http://unitsofmeasure.org|mg").Values);
        Assert.Equal([new QuantitySearchValue(SearchPrefix.Eq, 5.4m, 5.35m, 5.45m, null, "mg")], Single("Observation", "value-quantity", "5.4||mg").Values);
        Assert.Equal([new QuantitySearchValue(SearchPrefix.Eq, 100m, 99.5m, 100.5m, null, null)], Single("Observation", "value-quantity", "100").Values);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("5|mg")]
    public void Malformed_quantity_is_a_bad_request(string value)
    {
        BadRequest("Observation", "value-quantity", value);
    }

    [Fact]
    public void Exponent_number_precision_follows_the_mantissa()
    {
        var composite = Single("Observation", "code-value-quantity", "http://loinc.org|44261-6$ge1e2");

        var quantity = Assert.IsType<CompositeSearchValue>(Assert.Single(composite.Values)).Components[1];
        Assert.Equal(new QuantitySearchValue(SearchPrefix.Ge, 100m, 50m, 150m, null, null), quantity);
    }

    [Fact]
    public void Reference_forms()
    {
        Assert.Equal([new ReferenceSearchValue("Patient", "p1", null, null)], Single("QuestionnaireResponse", "subject", "Patient/p1").Values);
        Assert.Equal([new ReferenceSearchValue(null, "p1", null, null)], Single("QuestionnaireResponse", "subject", "p1").Values);
        Assert.Equal([new ReferenceSearchValue("Patient", "p1", null, null)], Single("QuestionnaireResponse", "patient", "p1").Values);
        Assert.Equal(
            [new ReferenceSearchValue(null, null, "http://other.example/fhir/Patient/9", null)],
            Single("QuestionnaireResponse", "subject", "http://other.example/fhir/Patient/9").Values);
    }

    [Fact]
    public void Reference_type_modifier_types_a_bare_id()
    {
        var criterion = Single("QuestionnaireResponse", "subject:Patient", "p1");

        Assert.Equal(SearchModifier.Type, criterion.Modifier);
        Assert.Equal("Patient", criterion.TargetType);
        Assert.Equal([new ReferenceSearchValue("Patient", "p1", null, null)], criterion.Values);
    }

    [Fact]
    public void Reference_identifier_modifier_takes_a_token()
    {
        var criterion = Single("QuestionnaireResponse", "subject:identifier", "http://hospital.example/mrn|123");

        Assert.Equal(SearchModifier.Identifier, criterion.Modifier);
        Assert.Equal([new TokenSearchValue("http://hospital.example/mrn", "123")], criterion.Values);
    }

    [Theory]
    [InlineData("http://alliance.example/Questionnaire/wai-sr", null)]
    [InlineData("http://alliance.example/Questionnaire/wai-sr|1.0.0", "1.0.0")]
    public void Canonical_reference_with_and_without_version(string value, string? version)
    {
        Assert.Equal(
            [new ReferenceSearchValue(null, null, "http://alliance.example/Questionnaire/wai-sr", version)],
            Single("QuestionnaireResponse", "questionnaire", value).Values);
    }

    [Fact]
    public void Uri_with_version()
    {
        Assert.Equal([new UriSearchValue("http://alliance.example/Questionnaire/srs", "2.0")], Single("Questionnaire", "url", "http://alliance.example/Questionnaire/srs|2.0").Values);
    }

    [Fact]
    public void Chain_with_type()
    {
        var chain = Assert.IsType<ChainedCriterion>(Assert.Single(Parse("QuestionnaireResponse", ("subject:Patient.identifier", "mrn|123")).Criteria));

        Assert.Equal("subject", chain.Reference.Name);
        Assert.Equal("Patient", chain.TargetType);
        var inner = Assert.IsType<ParameterCriterion>(chain.Inner);
        Assert.Equal(("Patient", "identifier"), (inner.Parameter.ResourceType, inner.Parameter.Name));
        Assert.Equal([new TokenSearchValue("mrn", "123")], inner.Values);
    }

    [Fact]
    public void Chain_without_type_uses_the_only_stored_target_with_that_parameter()
    {
        // Observation.subject points at Device, Group, Location or Patient; only Patient is stored here.
        var chain = Assert.IsType<ChainedCriterion>(Assert.Single(Parse("Observation", ("subject.name", "muller")).Criteria));

        Assert.Equal("Patient", chain.TargetType);
    }

    [Fact]
    public void Ambiguous_chain_is_a_bad_request_that_suggests_a_type()
    {
        // QuestionnaireResponse.author can be a Patient, Practitioner or Organization, all stored, all with 'name'.
        Assert.Contains("author:", BadRequest("QuestionnaireResponse", "author.name", "x").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Multi_level_chain()
    {
        var chain = Assert.IsType<ChainedCriterion>(Assert.Single(Parse("Observation", ("encounter.service-provider.name", "alliance")).Criteria));

        var next = Assert.IsType<ChainedCriterion>(chain.Inner);
        Assert.Equal(("Encounter", "Organization"), (chain.TargetType, next.TargetType));
        Assert.IsType<ParameterCriterion>(next.Inner);
    }

    [Fact]
    public void Chaining_a_non_reference_is_a_bad_request()
    {
        BadRequest("Patient", "name.family", "x");
    }

    [Fact]
    public void Reverse_chain()
    {
        var has = Assert.IsType<ReverseChainedCriterion>(Assert.Single(Parse("Patient", ("_has:Observation:subject:code", "http://loinc.org|44261-6")).Criteria));

        Assert.Equal(("Observation", "subject"), (has.SourceType, has.Reference.Name));
        var inner = Assert.IsType<ParameterCriterion>(has.Inner);
        Assert.Equal([new TokenSearchValue("http://loinc.org", "44261-6")], inner.Values);
    }

    [Fact]
    public void Nested_reverse_chain()
    {
        var has = Assert.IsType<ReverseChainedCriterion>(
            Assert.Single(Parse("Patient", ("_has:Observation:subject:_has:Observation:has-member:status", "final")).Criteria));

        Assert.IsType<ReverseChainedCriterion>(has.Inner);
    }

    [Theory]
    [InlineData("_has:Observation")]
    [InlineData("_has:Observation:subject")]
    [InlineData("_has:Observation:code:status")]
    public void Malformed_reverse_chain_is_a_bad_request(string key)
    {
        BadRequest("Patient", key, "x");
    }

    [Fact]
    public void Reverse_chain_through_a_reference_that_never_points_at_the_type_is_a_bad_request()
    {
        BadRequest("Patient", "_has:Observation:specimen:status", "final");
    }

    [Fact]
    public void Composite_values_split_on_dollar()
    {
        var composite = Assert.IsType<CompositeSearchValue>(
            Assert.Single(Single("Observation", "code-value-quantity", "http://loinc.org|44261-6$gt10").Values));

        Assert.Equal(new TokenSearchValue("http://loinc.org", "44261-6"), composite.Components[0]);
        Assert.Equal(new QuantitySearchValue(SearchPrefix.Gt, 10m, 9.5m, 10.5m, null, null), composite.Components[1]);
    }

    [Fact]
    public void Composite_with_the_wrong_number_of_parts_is_a_bad_request()
    {
        Assert.Contains("code$value-quantity", BadRequest("Observation", "code-value-quantity", "x").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_parameters_and_unsupported_modifiers_are_ignored_with_a_reason()
    {
        var query = Parse("Patient", ("shoe-size", "42"), ("address:below", "x"), ("_text", "x"), ("_has:Medication:x:y", "z"), ("_format", "json"), ("_pretty", "true"));

        Assert.Empty(query.Criteria);
        Assert.Equal(["shoe-size", "address:below", "_text", "_has:Medication:x:y"], query.Ignored.Select(i => i.Name));
        Assert.All(query.Ignored, i => Assert.False(string.IsNullOrWhiteSpace(i.Reason)));
    }

    [Theory]
    [InlineData("birthdate:exact")]
    [InlineData("name:not")]
    [InlineData("name:nonsense")]
    [InlineData("general-practitioner:Patient")]
    public void Modifier_that_cannot_apply_to_the_type_is_a_bad_request(string key)
    {
        BadRequest("Patient", key, "x");
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("50", 50)]
    [InlineData("5000", 1000)]
    public void Count_is_capped_at_the_maximum(string value, int expected)
    {
        Assert.Equal(expected, Parse("Patient", ("_count", value)).Count);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    public void Bad_count_is_a_bad_request(string value)
    {
        BadRequest("Patient", "_count", value);
    }

    [Fact]
    public void Sort_keys_in_order_with_direction()
    {
        var query = Parse("QuestionnaireResponse", ("_sort", "-authored,status,shoe-size"));

        Assert.Equal([("authored", true), ("status", false)], query.Sort.Select(s => (s.Parameter.Name, s.Descending)));
        Assert.Equal("shoe-size", Assert.Single(query.Ignored).Value);
    }

    [Fact]
    public void Includes_and_revincludes_with_iterate()
    {
        var query = Parse(
            "QuestionnaireResponse",
            ("_include", "QuestionnaireResponse:subject:Patient"),
            ("_include:iterate", "Patient:general-practitioner"),
            ("_revinclude", "Observation:derived-from"));

        Assert.Equal(
            [("QuestionnaireResponse", "subject", "Patient", false), ("Patient", "general-practitioner", null, true)],
            query.Includes.Select(i => (i.SourceType, i.Parameter.Name, i.TargetType, i.Iterate)));
        Assert.Equal(("Observation", "derived-from"), (query.RevIncludes[0].SourceType, query.RevIncludes[0].Parameter.Name));
    }

    [Fact]
    public void Wildcard_include_and_empty_values_are_ignored()
    {
        var query = Parse("QuestionnaireResponse", ("_include", "QuestionnaireResponse:*"), ("status", ""));

        Assert.Empty(query.Includes);
        Assert.Empty(query.Criteria);
        Assert.Equal(["_include", "status"], query.Ignored.Select(i => i.Name));
    }

    [Fact]
    public void Include_from_another_type_without_iterate_is_ignored()
    {
        var query = Parse("QuestionnaireResponse", ("_include", "Patient:general-practitioner"));

        Assert.Empty(query.Includes);
        Assert.Single(query.Ignored);
    }

    [Theory]
    [InlineData("subject")]
    [InlineData("QuestionnaireResponse:subject:Patient:extra")]
    public void Malformed_include_is_a_bad_request(string value)
    {
        BadRequest("QuestionnaireResponse", "_include", value);
    }

    [Theory]
    [InlineData("true", SummaryMode.True)]
    [InlineData("count", SummaryMode.Count)]
    [InlineData("data", SummaryMode.Data)]
    [InlineData("text", SummaryMode.Text)]
    [InlineData("false", SummaryMode.False)]
    public void Summary_modes(string value, SummaryMode mode)
    {
        Assert.Equal(mode, Parse("Patient", ("_summary", value)).Summary);
    }

    [Theory]
    [InlineData("none", TotalMode.None)]
    [InlineData("estimate", TotalMode.Estimate)]
    [InlineData("accurate", TotalMode.Accurate)]
    public void Total_modes(string value, TotalMode mode)
    {
        Assert.Equal(mode, Parse("Patient", ("_total", value)).Total);
    }

    [Theory]
    [InlineData("_summary", "maybe")]
    [InlineData("_total", "all")]
    public void Bad_result_parameter_values_are_bad_requests(string key, string value)
    {
        BadRequest("Patient", key, value);
    }

    [Fact]
    public void Elements_are_listed()
    {
        Assert.Equal(["status", "authored"], Parse("QuestionnaireResponse", ("_elements", "status, authored")).Elements);
    }

    [Fact]
    public void Unsupported_resource_type_is_not_found()
    {
        var ex = Assert.Throws<FhirOperationException>(() => Parse("Medication"));
        Assert.Equal(HttpStatusCode.NotFound, ex.Status);
    }
}
