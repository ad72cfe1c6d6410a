using AllianceFhir.Core.Search;

namespace AllianceFhir.Core.Tests.Search;

public class FhirPathExpressionsTests
{
    [Theory]
    [InlineData("Patient.name | Practitioner.name", "Patient", "Patient.name")]
    [InlineData("(Observation.value as Quantity) | (Observation.value as SampledData) | (Foo.value as Quantity)", "Observation",
        "(Observation.value as Quantity) | (Observation.value as SampledData)")]
    [InlineData("Observation | Observation.component", "Observation", "Observation | Observation.component")]
    [InlineData("PatientX.name | Patient.name", "Patient", "Patient.name")]
    [InlineData("Patient.telecom.where(system='a|b') | Person.telecom", "Patient", "Patient.telecom.where(system='a|b')")]
    public void Narrowing_keeps_only_the_type_s_branches(string expression, string type, string expected)
    {
        Assert.Equal(expected, FhirPathExpressions.NarrowToType(expression, type));
    }

    [Fact]
    public void Narrowing_returns_null_when_no_branch_applies()
    {
        Assert.Null(FhirPathExpressions.NarrowToType("Person.name | Practitioner.name", "Patient"));
    }

    [Fact]
    public void Resolve_is_becomes_a_reference_text_test()
    {
        Assert.Equal(
            "Observation.subject.where((reference.startsWith('Patient/') or reference.contains('/Patient/')))",
            FhirPathExpressions.RewriteResolveIs("Observation.subject.where(resolve() is Patient)"));
    }
}
