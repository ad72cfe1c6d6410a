using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Security;
using AllianceFhir.Core.Tests.Search;

namespace AllianceFhir.Core.Tests.Security;

public class AccessPolicyTests
{
    private readonly AccessPolicy _policy = new(new PatientCompartment(SearchSetup.Indexer), SearchSetup.Registry, SearchSetup.Indexer);

    /// <summary>The mapping table every path uses: interaction → the permission letters it needs.</summary>
    [Theory]
    [InlineData(FhirInteraction.Read, "r")]
    [InlineData(FhirInteraction.VRead, "r")]
    [InlineData(FhirInteraction.HistoryInstance, "r")]
    [InlineData(FhirInteraction.HistoryType, "r")]
    [InlineData(FhirInteraction.HistorySystem, "r")]
    [InlineData(FhirInteraction.SearchType, "s")]
    [InlineData(FhirInteraction.SearchSystem, "s")]
    [InlineData(FhirInteraction.Create, "c")]
    [InlineData(FhirInteraction.ConditionalCreate, "cs")]
    [InlineData(FhirInteraction.Update, "u")]
    [InlineData(FhirInteraction.Patch, "u")]
    [InlineData(FhirInteraction.ConditionalUpdate, "us")]
    [InlineData(FhirInteraction.Delete, "d")]
    [InlineData(FhirInteraction.ConditionalDelete, "ds")]
    public void Each_interaction_needs_its_permission(FhirInteraction interaction, string letters)
    {
        Assert.Equal(letters, PermissionLetters.Of(InteractionPermissions.Required(interaction)));
    }

    [Theory]
    [InlineData("POST", "QuestionnaireResponse/$validate", "QuestionnaireResponse", "c")]
    [InlineData("POST", "QuestionnaireResponse/$extract", "QuestionnaireResponse", "c")]
    [InlineData("POST", "QuestionnaireResponse/abc/$extract", "QuestionnaireResponse", "r")]
    [InlineData("GET", "Questionnaire/abc/$populate", "Questionnaire", "r")]
    [InlineData("POST", "Questionnaire/abc/$populate", "Questionnaire", "r")]
    public void Each_operation_needs_its_documented_permission(string method, string path, string type, string letters)
    {
        var request = RestRequestClassifier.Classify(method, path, [], hasIfNoneExist: false);

        Assert.Equal(RestRequestKind.Interaction, request.Kind);
        Assert.Equal([type], request.Access!.ResourceTypes);
        Assert.Equal(letters, PermissionLetters.Of(request.Access.Needs));
    }

    [Theory]
    [InlineData("GET", "Patient", false, FhirInteraction.SearchType)]
    [InlineData("POST", "Patient/_search", false, FhirInteraction.SearchType)]
    [InlineData("POST", "Patient", false, FhirInteraction.Create)]
    [InlineData("POST", "Patient", true, FhirInteraction.ConditionalCreate)]
    [InlineData("PUT", "Patient", false, FhirInteraction.ConditionalUpdate)]
    [InlineData("DELETE", "Patient", false, FhirInteraction.ConditionalDelete)]
    [InlineData("GET", "Patient/_history", false, FhirInteraction.HistoryType)]
    [InlineData("GET", "Patient/1", false, FhirInteraction.Read)]
    [InlineData("HEAD", "Patient/1", false, FhirInteraction.Read)]
    [InlineData("PUT", "Patient/1", false, FhirInteraction.Update)]
    [InlineData("PATCH", "Patient/1", false, FhirInteraction.Patch)]
    [InlineData("DELETE", "Patient/1", false, FhirInteraction.Delete)]
    [InlineData("GET", "Patient/1/_history", false, FhirInteraction.HistoryInstance)]
    [InlineData("GET", "Patient/1/_history/2", false, FhirInteraction.VRead)]
    [InlineData("GET", "_history", false, FhirInteraction.HistorySystem)]
    [InlineData("GET", "", false, FhirInteraction.SearchSystem)]
    public void The_rest_grammar_names_the_interaction(string method, string path, bool ifNoneExist, FhirInteraction interaction)
    {
        var request = RestRequestClassifier.Classify(method, "/" + path, [], ifNoneExist);

        Assert.Equal(RestRequestKind.Interaction, request.Kind);
        Assert.Equal(interaction, request.Access!.Interaction);
    }

    [Theory]
    [InlineData("GET", "metadata", RestRequestKind.Public)]
    [InlineData("GET", ".well-known/smart-configuration", RestRequestKind.Public)]
    [InlineData("POST", "", RestRequestKind.Bundle)]
    [InlineData("POST", "metadata", RestRequestKind.Unknown)]
    [InlineData("GET", "Unicorn/1", RestRequestKind.Unknown)]
    [InlineData("POST", "Patient/$everything", RestRequestKind.Unknown)] // an operation without a rule
    [InlineData("GET", "Patient/1/_history/2/extra", RestRequestKind.Unknown)]
    public void Other_urls_are_public_bundles_or_unknown(string method, string path, RestRequestKind kind)
    {
        Assert.Equal(kind, RestRequestClassifier.Classify(method, path, [], hasIfNoneExist: false).Kind);
    }

    [Theory]
    [InlineData("user/Patient.rs", FhirInteraction.Read, "Patient", true)]
    [InlineData("user/Patient.rs", FhirInteraction.Create, "Patient", false)]
    [InlineData("user/Patient.c", FhirInteraction.ConditionalCreate, "Patient", false)]
    [InlineData("user/Patient.cs", FhirInteraction.ConditionalCreate, "Patient", true)]
    [InlineData("user/*.read", FhirInteraction.SearchType, "Observation", true)]
    [InlineData("user/*.read", FhirInteraction.Update, "Observation", false)]
    [InlineData("user/*.write", FhirInteraction.Update, "Observation", true)]
    [InlineData("system/*.*", FhirInteraction.Delete, "Encounter", true)]
    [InlineData("user/Observation.rs", FhirInteraction.Read, "Patient", false)]
    [InlineData("user/Observation.rs", FhirInteraction.Read, "Questionnaire", true)] // the catalog
    [InlineData("user/Observation.rs", FhirInteraction.SearchType, "ValueSet", true)]
    [InlineData("user/Observation.rs", FhirInteraction.Create, "Questionnaire", false)]
    [InlineData("patient/Observation.rs", FhirInteraction.Read, "Observation", true)] // within the compartment
    [InlineData("patient/*.rs", FhirInteraction.Read, "Practitioner", false)] // never in a patient's compartment
    [InlineData("patient/Questionnaire.cud", FhirInteraction.Create, "Questionnaire", false)] // the catalog is no patient's
    [InlineData("user/Observation.rs?category=survey", FhirInteraction.Read, "Observation", true)] // matching resources only
    [InlineData("user/Observation.rs?no-such-parameter=1", FhirInteraction.Read, "Observation", false)]
    public void Scopes_grant_what_they_name(string scopes, FhirInteraction interaction, string type, bool allowed)
    {
        var decision = _policy.Decide(Caller(scopes, patient: "p1"), AccessRequest.Of(interaction, type));

        Assert.Equal(allowed, decision.Allowed);
    }

    [Fact]
    public void A_refusal_names_the_missing_scope_in_the_callers_context()
    {
        var decision = _policy.Decide(Caller("user/Patient.rs"), AccessRequest.Of(FhirInteraction.ConditionalCreate, "Patient"));

        Assert.False(decision.Allowed);
        Assert.Equal("user/Patient.c", decision.NeededScope);
        Assert.Contains("user/Patient.c", decision.Reason, StringComparison.Ordinal);
        var refusal = decision.ToException();
        Assert.Equal(HttpStatusCode.Forbidden, refusal.Status);
        Assert.Equal(Hl7.Fhir.Model.OperationOutcome.IssueType.Forbidden, refusal.Outcome.Issue[0].Code);

        var system = _policy.Decide(Caller("system/Observation.rs"), AccessRequest.Of(FhirInteraction.Delete, "Observation"));
        Assert.Equal("system/Observation.d", system.NeededScope);
    }

    [Fact]
    public void A_refusal_says_why_a_patient_scope_did_not_count()
    {
        var decision = _policy.Decide(Caller("patient/Observation.rs"), AccessRequest.Of(FhirInteraction.Read, "Observation"));

        Assert.False(decision.Allowed);
        Assert.Contains("no patient claim", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("patient/Observation.rs", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_patient_scoped_search_carries_the_compartment_and_the_scope_filter()
    {
        var query = SearchSetup.Parser.Parse("Observation", [new("code", "x")]);

        var narrowed = _policy.AuthorizeSearch(Caller("patient/Observation.rs?category=survey", patient: "p1"), query);

        Assert.Equal(3, narrowed.Criteria.Count);
        var compartment = Assert.Single(narrowed.Criteria.OfType<AnyOfCriterion>());

        // Every membership parameter of the R4 Patient CompartmentDefinition for Observation, not the first alone.
        Assert.Equal(
            ["performer", "subject"],
            compartment.Alternatives.Cast<ParameterCriterion>()
                .Where(p => p.Values is [ReferenceSearchValue { TargetType: "Patient", TargetId: "p1" }])
                .Select(p => p.Parameter.Name)
                .Order(StringComparer.Ordinal));
        Assert.Contains(narrowed.Criteria, c => c is ParameterCriterion { Parameter.Name: "category", Values: [TokenSearchValue { Code: "survey" }] });
    }

    [Fact]
    public void A_system_level_request_needs_the_permission_on_every_type()
    {
        var request = AccessRequest.OfTypes(FhirInteraction.SearchSystem, ["Observation", "Patient"]);

        Assert.False(_policy.Decide(Caller("user/Observation.rs"), request).Allowed);
        Assert.True(_policy.Decide(Caller("user/Observation.rs user/Patient.s"), request).Allowed);
    }

    [Fact]
    public void An_untyped_include_is_narrowed_to_the_targets_the_caller_may_read()
    {
        var query = SearchSetup.Parser.Parse("Observation", [new("_include", "Observation:subject")]);

        var narrowed = _policy.AuthorizeSearch(Caller("user/Observation.rs user/Patient.r"), query);

        var include = Assert.Single(narrowed.Includes);
        Assert.Equal("Patient", include.TargetType);
    }

    [Fact]
    public void An_include_of_a_type_the_caller_may_not_read_is_refused()
    {
        var query = SearchSetup.Parser.Parse("Observation", [new("_include", "Observation:subject:Patient")]);

        var refusal = Assert.Throws<FhirOperationException>(() => _policy.AuthorizeSearch(Caller("user/Observation.rs"), query));

        Assert.Equal(HttpStatusCode.Forbidden, refusal.Status);
        Assert.Contains("user/Patient.r", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("subject:Patient.name", "x", "user/Patient.s")]
    [InlineData("_has:QuestionnaireResponse:subject:status", "completed", "user/QuestionnaireResponse.s")]
    public void Chains_need_search_on_the_types_they_reach(string parameter, string value, string needed)
    {
        var type = parameter.StartsWith("_has", StringComparison.Ordinal) ? "Patient" : "Observation";
        var query = SearchSetup.Parser.Parse(type, [new(parameter, value)]);

        var refusal = Assert.Throws<FhirOperationException>(() => _policy.AuthorizeSearch(Caller($"user/{type}.rs"), query));

        Assert.Contains(needed, refusal.Message, StringComparison.Ordinal);
        _policy.AuthorizeSearch(Caller($"user/{type}.rs {needed}"), query);
    }

    private static AccessContext Caller(string scopes, string? patient = null) => new("subject", "client", SmartScope.ParseAll([scopes]), null, patient);
}
