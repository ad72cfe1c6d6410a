using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Tests.Search;

public class SearchParameterRegistryTests
{
    private static readonly SearchParameterRegistry Registry = SearchSetup.Registry;

    [Fact]
    public void Supports_the_default_types_and_nothing_else()
    {
        Assert.Equal(SearchParameterRegistry.DefaultResourceTypes.Order(), Registry.ResourceTypes.Order());
        Assert.False(Registry.Supports("Medication"));
        Assert.Empty(Registry.For("Medication"));
    }

    [Theory]
    [InlineData("_id", SearchParamType.Token)]
    [InlineData("_lastUpdated", SearchParamType.Date)]
    [InlineData("_tag", SearchParamType.Token)]
    [InlineData("_profile", SearchParamType.Uri)]
    [InlineData("_security", SearchParamType.Token)]
    public void Every_type_has_the_resource_level_parameters(string name, SearchParamType type)
    {
        // AuditEvent, a virtual type, has only what its narrow rows answer (the next test).
        foreach (var resourceType in Registry.ResourceTypes.Where(t => !Core.Audit.AuditEventSearch.IsVirtual(t)))
        {
            Assert.True(Registry.TryGet(resourceType, name, out var parameter), $"{resourceType} lacks {name}");
            Assert.Equal(type, parameter.Type);
        }
    }

    [Fact]
    public void AuditEvent_has_exactly_the_parameters_its_rows_answer()
    {
        Assert.Equal(
            ["_id", "_lastUpdated", "action", "address", "agent", "date", "entity", "entity-role", "entity-type", "outcome", "patient", "subtype", "type"],
            Registry.For("AuditEvent").Select(p => p.Name));
    }

    [Fact]
    public void Shared_definitions_are_narrowed_to_the_type_s_own_branch()
    {
        Assert.True(Registry.TryGet("Patient", "family", out var family));
        Assert.Equal("Patient.name.family", family.Expression);

        Assert.True(Registry.TryGet("Observation", "patient", out var patient));
        Assert.Equal("Observation.subject.where(resolve() is Patient)", patient.Expression);
    }

    [Fact]
    public void Questionnaire_response_parameters_match_the_R4_definitions()
    {
        var names = Registry.For("QuestionnaireResponse").Select(p => p.Name).ToHashSet();
        foreach (var expected in new[] { "author", "authored", "based-on", "encounter", "identifier", "part-of", "patient", "questionnaire", "source", "status", "subject" })
        {
            Assert.Contains(expected, names);
        }

        Assert.True(Registry.TryGet("QuestionnaireResponse", "questionnaire", out var questionnaire));
        Assert.Equal(SearchParamType.Reference, questionnaire.Type);
        Assert.Equal(["Questionnaire"], questionnaire.Targets);
        Assert.False(string.IsNullOrWhiteSpace(questionnaire.Documentation));
    }

    [Fact]
    public void Composite_parameters_carry_typed_components()
    {
        Assert.True(Registry.TryGet("Observation", "code-value-quantity", out var composite));
        Assert.Equal(SearchParamType.Composite, composite.Type);
        Assert.Collection(
            composite.Components,
            c => Assert.Equal(("code", SearchParamType.Token, "code"), (c.Name, c.Type, c.Expression)),
            c => Assert.Equal(("value-quantity", SearchParamType.Quantity, "value.as(Quantity)"), (c.Name, c.Type, c.Expression)));
    }

    [Fact]
    public void Unknown_resource_type_is_rejected_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new SearchParameterRegistry(["NotAType"]));
    }
}
