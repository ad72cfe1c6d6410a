using AllianceFhir.Core.References;

namespace AllianceFhir.Core.Tests.References;

public class ServiceBaseTests
{
    private static readonly ServiceBase Base = ServiceBase.Of("https://fhir.example.org/alliance/fhir/");

    [Theory]
    [InlineData("https://fhir.example.org/alliance/fhir/Patient/p1", "Patient/p1")]
    [InlineData("https://fhir.example.org/alliance/fhir/Patient/p1/_history/2", "Patient/p1/_history/2")]
    [InlineData("HTTPS://FHIR.Example.org/alliance/fhir/Patient/p1", "Patient/p1")]
    [InlineData("https://fhir.example.org:443/alliance/fhir/Patient/p1", "Patient/p1")]
    [InlineData("https://fhir.example.org/alliance/FHIR/Patient/p1", "Patient/p1")]
    public void An_absolute_url_under_the_base_is_its_relative_part(string reference, string relative) =>
        Assert.Equal(relative, Base.Localize(reference));

    [Theory]
    [InlineData("Patient/p1")]
    [InlineData("http://fhir.example.org/alliance/fhir/Patient/p1")]
    [InlineData("https://fhir.example.org:8443/alliance/fhir/Patient/p1")]
    [InlineData("https://other.example.org/alliance/fhir/Patient/p1")]
    [InlineData("https://fhir.example.org/alliance/fhir2/Patient/p1")]
    [InlineData("https://fhir.example.org/alliance/Patient/p1")]
    [InlineData("https://fhir.example.org/alliance/fhir/Patient?identifier=x")]
    [InlineData("https://fhir.example.org/alliance/fhir/Patient/p1#x")]
    [InlineData("https://fhir.example.org/alliance/fhir")]
    [InlineData("urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0")]
    public void Anything_else_is_not_under_it(string reference) => Assert.Null(Base.Localize(reference));

    [Fact]
    public void Without_a_base_nothing_is_local() =>
        Assert.Null(ServiceBase.Of(null).Localize("https://fhir.example.org/alliance/fhir/Patient/p1"));

    [Fact]
    public void An_absolute_reference_under_the_base_is_a_local_reference_that_keeps_its_text()
    {
        const string reference = "https://fhir.example.org/alliance/fhir/Patient/p1/_history/3";

        Assert.True(LocalReference.TryParse(reference, "Observation.subject", Base, out var local));
        Assert.Equal(("Patient", "p1", "3", reference), (local.ResourceType, local.Id, local.Version, local.Text));
        Assert.False(LocalReference.TryParse(reference, "Observation.subject", out _));
    }
}
