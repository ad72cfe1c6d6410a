using System.Net;
using AllianceFhir.Core.Bundles;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Search;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Tests.Bundles;

public class PendingResourceMatcherTests
{
    private static readonly SearchParameterRegistry Registry = new(SupportedResourceTypes.All);
    private static readonly SearchQueryParser Parser = new(Registry);
    private static readonly PendingResourceMatcher Matcher = new(new SearchIndexer(Registry));

    private static readonly Patient Patient = new()
    {
        Id = "p1",
        Identifier = [new Identifier("http://clinic.example.org/mrn", "123"), new Identifier { Value = "no-system" }],
        Name = [new HumanName { Family = "Müller", Given = ["Zoë"] }],
        Gender = AdministrativeGender.Female,
        BirthDate = "1980-02-03",
        GeneralPractitioner = [new ResourceReference("Practitioner/gp1")],
    };

    private static bool Matches(string query) =>
        Matcher.Matches(Parser.Parse("Patient", QueryParameters.Parse(query)), Patient);

    [Theory]
    [InlineData("identifier=http://clinic.example.org/mrn|123", true)]
    [InlineData("identifier=http://clinic.example.org/mrn|124", false)]
    [InlineData("identifier=http://other.example.org|123", false)]
    [InlineData("identifier=123", true)]
    [InlineData("identifier=|no-system", true)]
    [InlineData("identifier=|123", false)]
    [InlineData("identifier=http://clinic.example.org/mrn|", true)]
    [InlineData("_id=p1", true)]
    [InlineData("_id=p2", false)]
    [InlineData("gender=female&identifier=123", true)]
    [InlineData("gender=male&identifier=123", false)]
    [InlineData("gender=male,female", true)]
    public void Tokens_match_as_search_does(string query, bool expected) => Assert.Equal(expected, Matches(query));

    [Theory]
    [InlineData("family=mull", true)]
    [InlineData("family=MÜLLER", true)]
    [InlineData("family=ller", false)]
    [InlineData("family:contains=ller", true)]
    [InlineData("family:exact=Müller", true)]
    [InlineData("family:exact=muller", false)]
    [InlineData("name=zoe", true)]
    public void Strings_match_case_and_accent_insensitive_prefixes(string query, bool expected) => Assert.Equal(expected, Matches(query));

    [Theory]
    [InlineData("general-practitioner=Practitioner/gp1", true)]
    [InlineData("general-practitioner=gp1", true)]
    [InlineData("general-practitioner=Practitioner/gp2", false)]
    [InlineData("email:missing=true", true)]
    [InlineData("identifier:missing=true", false)]
    [InlineData("gender:not=male", true)]
    [InlineData("gender:not=female", false)]
    public void References_missing_and_not_are_evaluated(string query, bool expected) => Assert.Equal(expected, Matches(query));

    [Theory]
    [InlineData("birthdate=1980-02-03")]
    [InlineData("general-practitioner:Practitioner.name=x")]
    public void Searches_it_cannot_evaluate_fail_clearly_instead_of_guessing(string query)
    {
        var ex = Assert.Throws<FhirOperationException>(() => Matches(query));

        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        Assert.Equal(OperationOutcome.IssueType.NotSupported, ex.Outcome.Issue[0].Code);
    }
}
