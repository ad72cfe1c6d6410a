using AllianceFhir.Core.Security;

namespace AllianceFhir.Core.Tests.Security;

public class SmartScopeTests
{
    [Theory]
    [InlineData("patient/Observation.read", ScopeContext.Patient, "Observation", "rs")]
    [InlineData("user/*.write", ScopeContext.User, "*", "cud")]
    [InlineData("system/*.*", ScopeContext.System, "*", "cruds")]
    [InlineData("user/QuestionnaireResponse.cruds", ScopeContext.User, "QuestionnaireResponse", "cruds")]
    [InlineData("system/*.rs", ScopeContext.System, "*", "rs")]
    [InlineData("user/Patient.c", ScopeContext.User, "Patient", "c")]
    [InlineData("user/Patient.ud", ScopeContext.User, "Patient", "ud")]
    [InlineData("user/Patient.cds", ScopeContext.User, "Patient", "cds")]
    public void Parses_v1_and_v2_scopes(string text, ScopeContext context, string type, string letters)
    {
        Assert.True(SmartScope.TryParse(text, out var scope));

        Assert.Equal(context, scope.Context);
        Assert.Equal(type, scope.ResourceType);
        Assert.Equal(letters, PermissionLetters.Of(scope.Permissions));
        Assert.False(scope.IsFiltered);
    }

    [Fact]
    public void A_v2_scope_with_a_search_keeps_the_search()
    {
        Assert.True(SmartScope.TryParse("patient/Observation.rs?category=survey&status=final", out var scope));

        Assert.Equal(Permissions.Read | Permissions.Search, scope.Permissions);
        Assert.True(scope.IsFiltered);
        Assert.Equal([new("category", "survey"), new("status", "final")], scope.Filter);
        Assert.Equal("patient/Observation.rs?category=survey&status=final", scope.ToString());
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("fhirUser")]
    [InlineData("launch/patient")]
    [InlineData("offline_access")]
    [InlineData("user/Observation.sr")] // letters out of order
    [InlineData("user/Observation.rr")] // a letter twice
    [InlineData("user/Observation.x")]
    [InlineData("user/Observation.")]
    [InlineData("user/Unicorn.read")] // not a FHIR resource type
    [InlineData("clinic/Observation.read")]
    [InlineData("user/Observation.read?category=survey")] // v1 names carry no search
    [InlineData("user/*.rs?category=survey")] // a search needs a type
    [InlineData("user/Observation.rs?")]
    public void Refuses_what_is_not_a_resource_scope(string text)
    {
        Assert.False(SmartScope.TryParse(text, out _));
    }

    [Fact]
    public void A_scope_string_yields_its_resource_scopes_only()
    {
        var scopes = SmartScope.ParseAll(["openid fhirUser user/Patient.rs  user/Observation.sr", "system/*.c"]);

        Assert.Equal(["user/Patient.rs", "system/*.c"], scopes.Select(s => s.ToString()));
    }
}
