using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using Hl7.Fhir.Model;

namespace AllianceFhir.Core.Tests.Resources;

public sealed class SharedDefinitionsTests
{
    private static ResourceVersion Stored(string type, string id, int version, string body) =>
        new(type, id, version, DateTimeOffset.UnixEpoch, false,
            $$"""{"resourceType":"{{type}}","id":"{{id}}","meta":{"versionId":"{{version}}"},{{body}}}""", "PUT");

    [Fact]
    public void A_stored_Questionnaire_version_is_parsed_once_and_a_new_version_is_parsed_again()
    {
        var id = Guid.NewGuid().ToString("N");
        var first = Stored("Questionnaire", id, 1, """ "status":"active","title":"One" """);

        var a = Assert.IsType<Questionnaire>(SharedDefinitions.Materialize(first));
        Assert.Same(a, SharedDefinitions.Materialize(first with { }));

        var second = Assert.IsType<Questionnaire>(SharedDefinitions.Materialize(Stored("Questionnaire", id, 2, """ "status":"active","title":"Two" """)));
        Assert.NotSame(a, second);
        Assert.Equal("Two", second.Title);
        Assert.Equal("One", a.Title);
    }

    [Fact]
    public void Other_resources_are_parsed_fresh_for_every_caller_and_deletes_have_none()
    {
        var patient = Stored("Patient", "p1", 1, """ "active":true """);
        Assert.NotSame(SharedDefinitions.Materialize(patient), SharedDefinitions.Materialize(patient));
        Assert.Null(SharedDefinitions.Materialize(patient with { IsDeleted = true, Json = null }));
    }
}
